"""Fidelity patches for moto 5.2.1, applied before the server starts.

Each patch closes one gap between moto and AWS that lambda-static-ip depends on
(see ../../docs/testbed.md for the table). Patches wrap moto's own model and
response methods; they never replace a whole class, so moto upgrades surface as
test failures rather than silent drift. Every patch has a test in
test/testbed/moto-patches.test.ts that states the AWS behaviour it reproduces.

Nothing in lambda-static-ip's production code may rely on these patches: they
only make the local AWS behave more like the real one.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any, Callable

from moto.awslambda import models as lambda_models
from moto.awslambda import responses as lambda_responses
from moto.awslambda.exceptions import InvalidParameterValueException
from moto.ec2 import models as ec2_models
from moto.ec2.exceptions import EC2ClientError, InvalidAllocationIdError, InvalidNetworkInterfaceIdError
from moto.ec2.models.elastic_ip_addresses import ElasticAddress, ElasticAddressBackend
from moto.ec2.models.elastic_network_interfaces import NetworkInterface, NetworkInterfaceBackend
from moto.ec2.models.subnets import Subnet
from moto.ec2.responses.account_attributes import AccountAttributes
from moto.ec2.responses.elastic_ip_addresses import ElasticIPAddresses
from moto.ec2.responses.elastic_network_interfaces import ElasticNetworkInterfaces
from moto.moto_api._internal.models import moto_api_backend

SUPPORTED_MOTO = "5.2.1"

# Mutable test-bed settings, changed at run time through POST /_testbed/config.
_lock = threading.Lock()
SETTINGS: dict[str, Any] = {"eipQuota": 5, "consistency": {"newAddressCalls": 0, "newEniCalls": 0, "ms": 0}}
# (account, region, function name, version) -> overrides of State / LastUpdateStatus fields.
FUNCTION_STATES: dict[tuple[str, str, str, str], dict[str, str]] = {}

STATE_FIELDS = (
    "State",
    "StateReason",
    "StateReasonCode",
    "LastUpdateStatus",
    "LastUpdateStatusReason",
    "LastUpdateStatusReasonCode",
)


def _is_associated(address: ElasticAddress) -> bool:
    """True when an Elastic IP is associated with anything (ENI or instance)."""
    return bool(address.association_id) or address.eni is not None or address.instance is not None


def _drop_association(address: ElasticAddress) -> None:
    """Forgets an Elastic IP's association, as AWS does when the ENI it was on goes away."""
    address.eni = None
    address.instance = None
    address.association_id = None


def _named_address(backend: Any, address: str | None, allocation_id: str | None) -> ElasticAddress:
    """The Elastic IP a call names, by public IP or by allocation id (moto's NotFound errors otherwise)."""
    return (backend.address_by_ip([address]) if address else backend.address_by_allocation([allocation_id]))[0]


# --- ENIs -----------------------------------------------------------------------------------------


class _LambdaAttachment:
    """What DescribeNetworkInterfaces shows for a Hyperplane ENI: attached, owned by amazon-aws."""

    def __init__(self, eni: NetworkInterface) -> None:
        self.attach_time = None
        self.attachment_id = "ela-attach-" + eni.id.split("-", 1)[1]
        self.delete_on_termination = False
        self.device_index = 1
        self.network_card_index = 0
        self.instance_id = None
        self.instance_owner_id = "amazon-aws"
        self.status = "attached"


def _patch_eni_interface_type() -> None:
    """AWS: CreateNetworkInterface honours InterfaceType; a `lambda` ENI reads Status=in-use."""
    original = ElasticNetworkInterfaces.create_network_interface

    def create_network_interface(self: ElasticNetworkInterfaces) -> Any:
        result = original(self)
        interface_type = self._get_param("InterfaceType")
        eni = result.result["NetworkInterface"]
        if interface_type:
            eni.interface_type = interface_type
        if interface_type == "lambda":
            eni.status = "in-use"
            eni.requester_managed = False
            eni.requester_id = f"AROAQLAMBDASIMULATOR:{self.current_account}"
            eni._lsi_attachment = _LambdaAttachment(eni)
        return result

    ElasticNetworkInterfaces.create_network_interface = create_network_interface

    original_attachment = NetworkInterface.attachment

    def attachment(self: NetworkInterface) -> Any:
        lambda_attachment = getattr(self, "_lsi_attachment", None)
        return lambda_attachment if lambda_attachment else original_attachment.fget(self)

    NetworkInterface.attachment = property(attachment)


def _patch_eni_delete_drops_association() -> None:
    """AWS: deleting an ENI drops the association of any Elastic IP on it (the IP stays allocated)."""
    original = NetworkInterfaceBackend.delete_network_interface

    def delete_network_interface(self: Any, eni_id: str) -> None:
        original(self, eni_id)
        for address in self.addresses:
            if address.eni is not None and address.eni.id == eni_id:
                _drop_association(address)

    NetworkInterfaceBackend.delete_network_interface = delete_network_interface


def _vpc_has_attached_internet_gateway(backend: Any, vpc_id: str) -> bool:
    return any(igw.vpc is not None and igw.vpc.id == vpc_id for igw in backend.internet_gateways.values())


def _patch_associate_address() -> None:
    """AWS, for AssociateAddress on an ENI:
    - fails with Gateway.NotAttached when the ENI's VPC has no attached internet gateway;
    - an ENI holds one Elastic IP on its primary private address: a second association displaces the first;
    - moving an address (AllowReassociation=true) leaves no public IP behind on the ENI it came from.
    """
    original = ElasticAddressBackend.associate_address

    def associate_address(
        self: Any,
        instance: Any = None,
        eni: Any = None,
        address: str | None = None,
        allocation_id: str | None = None,
        reassociate: bool = False,
    ) -> ElasticAddress:
        if eni is not None and not _vpc_has_attached_internet_gateway(self, eni.vpc_id):
            raise EC2ClientError(
                "Gateway.NotAttached", f"Network {eni.vpc_id} is not attached to any internet gateway"
            )
        previous_eni = _named_address(self, address, allocation_id).eni
        result = original(self, instance, eni, address, allocation_id, reassociate)
        if eni is not None:
            if previous_eni is not None and previous_eni.id != eni.id:
                previous_eni.public_ip = None
            for other in self.addresses:
                if other is not result and other.eni is not None and other.eni.id == eni.id:
                    _drop_association(other)
            eni.public_ip = result.public_ip
        return result

    ElasticAddressBackend.associate_address = associate_address


def _patch_release_in_use() -> None:
    """AWS: ReleaseAddress of an associated address fails with InvalidIPAddress.InUse."""
    original = ElasticAddressBackend.release_address

    def release_address(self: Any, address: str | None = None, allocation_id: str | None = None) -> None:
        target = _named_address(self, address, allocation_id)
        if _is_associated(target):
            raise EC2ClientError("InvalidIPAddress.InUse", f"Address {target.public_ip} is in use.")
        original(self, address, allocation_id)

    ElasticAddressBackend.release_address = release_address


def _patch_address_quota() -> None:
    """AWS: AllocateAddress fails with AddressLimitExceeded at the per-Region quota (5 by default);
    DescribeAccountAttributes reports that quota as vpc-max-elastic-ips."""
    original = ElasticAddressBackend.allocate_address

    def allocate_address(self: Any, domain: str, address: str | None = None, tags: Any = None) -> ElasticAddress:
        with _lock:
            quota = int(SETTINGS["eipQuota"])
        if len(self.addresses) >= quota:
            raise EC2ClientError("AddressLimitExceeded", "The maximum number of addresses has been reached.")
        return original(self, domain, address, tags)

    ElasticAddressBackend.allocate_address = allocate_address

    original_attributes = AccountAttributes.describe_account_attributes

    def describe_account_attributes(self: AccountAttributes) -> Any:
        result = original_attributes(self)
        quota = str(SETTINGS["eipQuota"])
        for attribute in result.result["AccountAttributes"]:
            if attribute["AttributeName"] in ("vpc-max-elastic-ips", "max-elastic-ips"):
                attribute["AttributeValues"] = [{"AttributeValue": quota}]
        return result

    AccountAttributes.describe_account_attributes = describe_account_attributes


def _patch_address_absent_fields() -> None:
    """AWS omits InstanceId / NetworkInterfaceId of an unassociated address; moto sends empty strings."""
    ElasticAddress.instance_id = property(lambda self: self.instance.id if self.instance else None)
    ElasticAddress.network_interface_id = property(lambda self: self.eni.id if self.eni else None)


def _patch_address_network_border_group() -> None:
    """AWS: AllocateAddress takes a NetworkBorderGroup (the Region unless a Local Zone group is named) and
    DescribeAddresses reports it; moto ignores the parameter and omits the field."""
    ElasticAddress.network_border_group = property(
        lambda self: getattr(self, "_lsi_border_group", None) or self.ec2_backend.region_name
    )
    original = ElasticIPAddresses.allocate_address

    def allocate_address(self: ElasticIPAddresses) -> Any:
        result = original(self)
        group = self._get_param("NetworkBorderGroup")
        if group:
            allocation_id = result.result["AllocationId"]
            for address in self.ec2_backend.addresses:
                if address.allocation_id == allocation_id:
                    address._lsi_border_group = group
            result.result["NetworkBorderGroup"] = group
        return result

    ElasticIPAddresses.allocate_address = allocate_address


# --- Eventual consistency ---------------------------------------------------------------------------

# Resource id -> [calls left in which it is still invisible, monotonic time until which it is].
_NEW_RESOURCES: dict[str, list[float]] = {}


def _register_new(resource_id: str, calls_setting: str) -> None:
    with _lock:
        settings = SETTINGS["consistency"]
        calls = int(settings.get(calls_setting, 0))
        ms = int(settings.get("ms", 0))
        if calls > 0 or ms > 0:
            _NEW_RESOURCES[resource_id] = [calls, time.monotonic() + ms / 1000 if ms > 0 else 0.0]


def _still_hidden(resource_id: str) -> bool:
    """True while a new resource is invisible. Each call that would have shown it uses up one of its
    invisible calls; it becomes visible when both its calls and its time are used up."""
    with _lock:
        state = _NEW_RESOURCES.get(resource_id)
        if state is None:
            return False
        calls_left, until = state
        hidden = calls_left > 0 or time.monotonic() < until
        if calls_left > 0:
            state[0] = calls_left - 1
        if not hidden:
            del _NEW_RESOURCES[resource_id]
        return hidden


def _without_hidden(result: Any, key: str, id_of: Any, named: list[str], not_found: Any) -> Any:
    """A describe result without the resources still hidden; naming a hidden one is its NotFound error."""
    items = result.result[key]
    visible = [item for item in items if not _still_hidden(id_of(item))]
    missing = [id_of(item) for item in items if item not in visible and id_of(item) in named]
    if missing:
        raise not_found(missing[0])
    result._result = {**result.result, key: visible}
    return result


def _patch_eventual_consistency() -> None:
    """AWS is eventually consistent: an address just allocated, or an ENI just created, may be unknown to
    the next calls for a while. When POST /_testbed/config sets `consistency` (default: all 0, off), a new
    address is missing from DescribeAddresses and unknown to AssociateAddress for its next
    `newAddressCalls` calls, a new ENI likewise in DescribeNetworkInterfaces and AssociateAddress for
    `newEniCalls`, and both for at least `ms` milliseconds. Naming a hidden id gives the NotFound error."""
    original_allocate = ElasticAddressBackend.allocate_address

    def allocate_address(self: Any, domain: str, address: str | None = None, tags: Any = None) -> ElasticAddress:
        result = original_allocate(self, domain, address, tags)
        if result.allocation_id:
            _register_new(result.allocation_id, "newAddressCalls")
        return result

    ElasticAddressBackend.allocate_address = allocate_address

    original_create_eni = NetworkInterfaceBackend.create_network_interface

    def create_network_interface(self: Any, *args: Any, **kwargs: Any) -> NetworkInterface:
        eni = original_create_eni(self, *args, **kwargs)
        _register_new(eni.id, "newEniCalls")
        return eni

    NetworkInterfaceBackend.create_network_interface = create_network_interface

    original_describe_addresses = ElasticIPAddresses.describe_addresses

    def describe_addresses(self: ElasticIPAddresses) -> Any:
        result = original_describe_addresses(self)
        return _without_hidden(
            result, "Addresses", lambda a: a.allocation_id or "", self._get_param("AllocationIds", []), InvalidAllocationIdError
        )

    ElasticIPAddresses.describe_addresses = describe_addresses

    original_describe_enis = ElasticNetworkInterfaces.describe_network_interfaces

    def describe_network_interfaces(self: ElasticNetworkInterfaces) -> Any:
        result = original_describe_enis(self)
        return _without_hidden(
            result,
            "NetworkInterfaces",
            lambda eni: eni.id,
            self._get_param("NetworkInterfaceIds", []),
            InvalidNetworkInterfaceIdError,
        )

    ElasticNetworkInterfaces.describe_network_interfaces = describe_network_interfaces

    original_associate = ElasticIPAddresses.associate_address

    def associate_address(self: ElasticIPAddresses) -> Any:
        allocation_id = self._get_param("AllocationId")
        eni_id = self._get_param("NetworkInterfaceId")
        if allocation_id and _still_hidden(allocation_id):
            raise InvalidAllocationIdError(allocation_id)
        if eni_id and _still_hidden(eni_id):
            raise InvalidNetworkInterfaceIdError(eni_id)
        return original_associate(self)

    ElasticIPAddresses.associate_address = associate_address
# --- NAT gateways and Network Load Balancers ---------------------------------------------------------


def _mark_service_eni(eni: NetworkInterface, interface_type: str, description: str) -> None:
    """What DescribeNetworkInterfaces shows for an ENI an AWS service manages for you."""
    eni.interface_type = interface_type
    eni.description = description
    eni.status = "in-use"
    eni.requester_managed = True


def _patch_nat_gateways() -> None:
    """AWS, for public NAT gateways:
    - the gateway's ENI reads InterfaceType=nat_gateway, Description "Interface for NAT Gateway <id>",
      Status=in-use, RequesterManaged=true (moto: a plain `interface`, `available`);
    - CreateNatGateway with an Elastic IP that is already associated does not fail: the gateway is created
      and ends in State=failed, FailureCode=Resource.AlreadyAssociated, holding nothing (moto: the call fails);
    - DeleteNatGateway disassociates the Elastic IP (never releases it) and deletes the ENI once the gateway
      is deleted (moto: the address stays associated with an ENI that stays). The test bed skips AWS's
      `deleting` phase: the gateway is `deleted` at once.
    """
    from moto.ec2.models.nat_gateways import NatGatewayBackend

    original_create = NatGatewayBackend.create_nat_gateway

    def create_nat_gateway(
        self: Any,
        subnet_id: str,
        allocation_id: str,
        tags: dict[str, str] | None = None,
        connectivity_type: str = "public",
    ) -> Any:
        taken = None
        if allocation_id and connectivity_type != "private":
            if _is_associated(self.address_by_allocation([allocation_id])[0]):
                taken = allocation_id
        gateway = original_create(self, subnet_id, None if taken else allocation_id, tags, connectivity_type)
        if taken:
            gateway.state = "failed"
            gateway.failure_code = "Resource.AlreadyAssociated"
            gateway.failure_message = f"Elastic IP address {taken} is already associated"
            gateway.address_set.clear()
            self.delete_network_interface(gateway._eni.id)
        else:
            _mark_service_eni(gateway._eni, "nat_gateway", f"Interface for NAT Gateway {gateway.id}")
        return gateway

    NatGatewayBackend.create_nat_gateway = create_nat_gateway

    original_delete = NatGatewayBackend.delete_nat_gateway

    def delete_nat_gateway(self: Any, nat_gateway_id: str) -> Any:
        gateway = original_delete(self, nat_gateway_id)
        if gateway._eni.id in self.enis:
            # Dropping the ENI drops the association too (see _patch_eni_delete_drops_association).
            self.delete_network_interface(gateway._eni.id)
        return gateway

    NatGatewayBackend.delete_nat_gateway = delete_nat_gateway


def _patch_nlb_subnet_mappings() -> None:
    """AWS: an internet-facing Network Load Balancer with SubnetMappings gets one ENI per subnet,
    InterfaceType=network_load_balancer, Description "ELB net/<name>/<id>", holding the mapping's Elastic IP;
    an AllocationId that is not free fails the call (ResourceInUse). DeleteLoadBalancer deletes those ENIs,
    and so drops the associations; the addresses stay allocated. (moto: AllocationId is ignored, no ENI.)"""
    from moto.elbv2.exceptions import ResourceInUseError
    from moto.elbv2.models import ELBv2Backend

    original_create = ELBv2Backend.create_load_balancer

    def create_load_balancer(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        mappings = [m for m in (kwargs.get("subnet_mappings") or []) if m.get("AllocationId")]
        ec2 = self.ec2_backend
        for mapping in mappings:
            if _is_associated(ec2.address_by_allocation([mapping["AllocationId"]])[0]):
                raise ResourceInUseError("The allocation IDs are not available for use")
        balancer = original_create(self, name, *args, **kwargs)
        balancer._lsi_enis = []
        lb_id = balancer.arn.rsplit("/", 1)[-1]
        for mapping in mappings:
            subnet = ec2.get_subnet(mapping["SubnetId"])
            eni = ec2.create_network_interface(subnet, None)
            _mark_service_eni(eni, "network_load_balancer", f"ELB net/{name}/{lb_id}")
            ec2.associate_address(eni=eni, allocation_id=mapping["AllocationId"], reassociate=False)
            balancer._lsi_enis.append(eni.id)
        return balancer

    ELBv2Backend.create_load_balancer = create_load_balancer

    original_delete = ELBv2Backend.delete_load_balancer

    def delete_load_balancer(self: Any, arn: str) -> None:
        balancer = self.load_balancers.get(arn)
        original_delete(self, arn)
        for eni_id in getattr(balancer, "_lsi_enis", []):
            if eni_id in self.ec2_backend.enis:
                self.ec2_backend.delete_network_interface(eni_id)

    ELBv2Backend.delete_load_balancer = delete_load_balancer


# --- Paging ---------------------------------------------------------------------------------------


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


def _invalid_next_token(token: str) -> Exception:
    return EC2ClientError("InvalidNextToken", f"The token '{token}' is invalid.")


def _decode_token(token: str, invalid: Callable[[str], Exception] = _invalid_next_token) -> int:
    """The offset an _encode_token token names; a malformed one is the caller's error, `invalid(token)`."""
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["o"])
    except Exception as error:  # noqa: BLE001 - any malformed token is the caller's error
        raise invalid(token) from error


def _patch_describe_network_interfaces_paging() -> None:
    """AWS: DescribeNetworkInterfaces pages with MaxResults (5-1000) and NextToken; without MaxResults
    it returns everything. (DescribeAddresses has no paging in the EC2 API: it always returns all.)"""
    original = ElasticNetworkInterfaces.describe_network_interfaces

    def describe_network_interfaces(self: ElasticNetworkInterfaces) -> Any:
        max_results = self._get_param("MaxResults")
        next_token = self._get_param("NextToken")
        result = original(self)
        if max_results is None and next_token is None:
            return result
        if self._get_param("NetworkInterfaceIds", []) and max_results is not None:
            raise EC2ClientError(
                "InvalidParameterCombination",
                "The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults",
            )
        size = int(max_results) if max_results is not None else 1000
        if size < 5 or size > 1000:
            raise EC2ClientError(
                "InvalidParameterValue", f"Value ( {size} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000."
            )
        enis = sorted(result.result["NetworkInterfaces"], key=lambda eni: eni.id)
        start = _decode_token(next_token) if next_token else 0
        page = enis[start : start + size]
        payload: dict[str, Any] = {"NetworkInterfaces": page}
        if start + size < len(enis):
            payload["NextToken"] = _encode_token(start + size)
        result._result = payload
        return result

    ElasticNetworkInterfaces.describe_network_interfaces = describe_network_interfaces


def _patch_list_functions_paging() -> None:
    """AWS: ListFunctions returns at most 50 functions per call, with Marker / NextMarker, and leaves out
    State, StateReason(Code) and LastUpdateStatus(Reason/Code): only GetFunction reports those."""

    def entries(backend: Any, func_version: str | None) -> list[tuple[Any, bool]]:
        # moto's own listing deep-copies every function on every call (seconds at a thousand functions);
        # here each entry is a reference, and only the page is serialised.
        if func_version != "ALL":
            return [(fn, False) for fn in backend.list_functions(None)]
        listed: list[tuple[Any, bool]] = []
        for group in list(backend._lambdas._functions.values()):
            if group["latest"] is not None:
                listed.append((group["latest"], True))
            listed.extend((version, False) for version in group["versions"])
        return listed

    def configuration(fn: Any, qualify_latest: bool) -> dict[str, Any]:
        config = {key: value for key, value in fn.get_configuration().items() if key not in STATE_FIELDS}
        if qualify_latest:
            config["FunctionArn"] = f"{config['FunctionArn']}:$LATEST"
        return config

    def list_functions(self: Any) -> str:
        func_version = self.querystring.get("FunctionVersion", [None])[0]
        functions = entries(self.backend, func_version)
        max_items = int(self.querystring.get("MaxItems", ["50"])[0])
        max_items = max(1, min(50, max_items))
        marker = self.querystring.get("Marker", [None])[0]
        start = _decode_token(marker, lambda token: InvalidParameterValueException(f"Invalid Marker: {token}")) if marker else 0
        # Serialise only the page: moto's own handler serialises every function on every call.
        page: dict[str, Any] = {
            "Functions": [configuration(fn, latest) for fn, latest in functions[start : start + max_items]]
        }
        if start + max_items < len(functions):
            page["NextMarker"] = _encode_token(start + max_items)
        return json.dumps(page)

    lambda_responses.LambdaResponse.list_functions = list_functions


# --- Lambda function configuration ----------------------------------------------------------------


def _subnet_vpc(function: Any, subnet_id: str) -> str | None:
    backend = ec2_models.ec2_backends[function.account_id][function.region]
    for subnets_in_zone in backend.subnets.values():
        if subnet_id in subnets_in_zone:
            return subnets_in_zone[subnet_id].vpc_id
    return None


def _patch_lambda_vpc_and_state() -> None:
    """AWS: VpcConfig.VpcId is the VPC of the function's subnets (moto: always vpc-123abc), unknown
    subnets are refused, and State / LastUpdateStatus move through Pending / InProgress phases, which
    the Lambda simulator sets through POST /_testbed/lambda/function-state."""

    def vpc_config(self: Any) -> dict[str, Any] | None:
        if not self._vpc_config:
            return None
        config = dict(self._vpc_config)
        subnets = config.get("SubnetIds") or []
        config["VpcId"] = (_subnet_vpc(self, subnets[0]) or "") if subnets else ""
        return config

    lambda_models.LambdaFunction.vpc_config = property(vpc_config)

    def check_subnets(function: Any, vpc: dict[str, Any] | None) -> None:
        subnets = (vpc or {}).get("SubnetIds") or []
        vpcs = set()
        for subnet_id in subnets:
            vpc_id = _subnet_vpc(function, subnet_id)
            if vpc_id is None:
                raise InvalidParameterValueException(
                    f"Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. "
                    f"EC2 Error Message: The subnet ID '{subnet_id}' does not exist"
                )
            vpcs.add(vpc_id)
        if len(vpcs) > 1:
            raise InvalidParameterValueException("Subnets must all belong to the same VPC.")

    original_init = lambda_models.LambdaFunction.__init__

    def init(self: Any, account_id: str, spec: dict[str, Any], region: str, version: Any = 1) -> None:
        original_init(self, account_id, spec, region, version)
        check_subnets(self, spec.get("VpcConfig"))

    lambda_models.LambdaFunction.__init__ = init

    original_update = lambda_models.LambdaFunction.update_configuration

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "VpcConfig" in config_updates:
            check_subnets(self, config_updates["VpcConfig"])
        return original_update(self, config_updates)

    lambda_models.LambdaFunction.update_configuration = update_configuration

    original_get_configuration = lambda_models.LambdaFunction.get_configuration

    def get_configuration(self: Any, on_create: bool = False) -> dict[str, Any]:
        config = original_get_configuration(self, on_create)
        key = (self.account_id, self.region, self.function_name, str(self.version))
        with _lock:
            overrides = FUNCTION_STATES.get(key)
        if overrides:
            config.update(overrides)
        return config

    lambda_models.LambdaFunction.get_configuration = get_configuration


def _patch_reset_clears_testbed_state() -> None:
    original = moto_api_backend.reset

    def reset() -> None:
        original()
        with _lock:
            FUNCTION_STATES.clear()
            _NEW_RESOURCES.clear()

    moto_api_backend.reset = reset


# --- IPv6 (dual-stack egress) ----------------------------------------------------------------------


def _patch_subnet_ipv6_cidr_state() -> None:
    """AWS: each entry of a subnet's Ipv6CidrBlockAssociationSet reads Ipv6CidrBlockState
    {State: "associated"} (moto: its State is the whole state dict as a string,
    "{'State': 'associated'}", so a client keeping associated blocks only would see none)."""

    def association_set(self: Any) -> list[dict[str, Any]]:
        return [
            {
                "ipv6CidrBlock": association["ipv6CidrBlock"],
                "associationId": association["associationId"],
                "ipv6CidrBlockState": {"state": association["ipv6CidrBlockState"]["State"]},
            }
            for association in self.ipv6_cidr_block_associations.values()
            if association["ipv6CidrBlockState"]["State"] == "associated"
        ]

    Subnet.ipv6_cidr_block_association_set = property(association_set)


# --- Test-bed control routes ----------------------------------------------------------------------


def handle_testbed_request(method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """Routes under /_testbed/: the test bed's own controls, never part of any AWS API."""
    if path == "/_testbed/health":
        return 200, {"status": "ok", "moto": SUPPORTED_MOTO}
    if method != "POST":
        return 405, {"error": f"{method} {path}: use POST"}
    try:
        payload = json.loads(body or b"{}")
    except json.JSONDecodeError as error:
        return 400, {"error": f"body is not JSON: {error}"}
    if path == "/_testbed/config":
        with _lock:
            if "eipQuota" in payload:
                quota = payload["eipQuota"]
                if not isinstance(quota, int) or quota < 0:
                    return 400, {"error": f"eipQuota must be a non-negative integer, got {quota!r}"}
                SETTINGS["eipQuota"] = quota
            if "consistency" in payload:
                consistency = payload["consistency"]
                keys = ("newAddressCalls", "newEniCalls", "ms")
                if not isinstance(consistency, dict) or any(
                    key not in keys or not isinstance(value, int) or value < 0 for key, value in consistency.items()
                ):
                    return 400, {"error": f"consistency takes non-negative integers {keys}, got {consistency!r}"}
                SETTINGS["consistency"] = {**{key: 0 for key in keys}, **consistency}
            return 200, dict(SETTINGS)
    if path == "/_testbed/lambda/function-state":
        try:
            key = (
                str(payload["accountId"]),
                str(payload["region"]),
                str(payload["functionName"]),
                str(payload.get("version", "$LATEST")),
            )
        except KeyError as error:
            return 400, {"error": f"missing field {error}"}
        fields = {name: str(payload[name]) for name in STATE_FIELDS if payload.get(name) is not None}
        with _lock:
            if fields:
                FUNCTION_STATES[key] = fields
            else:
                FUNCTION_STATES.pop(key, None)
        return 200, {"ok": True}
    return 404, {"error": f"no test-bed route {path}"}


def _speed_up_request_dispatch() -> None:
    """Not a fidelity patch: moto's server lists its own package directory (one stat per module, about
    170) on every request to find the backend; the list never changes while it runs, so it is read once.
    Without this a thousand-function benchmark spends a third of its server time in stat()."""
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules

    # Every request also lists its response class's methods with inspect.getmembers; classes do not
    # change once the patches above are in, so each class is listed once.
    from moto.core import responses

    method_names: dict[type, list[str]] = {}
    list_methods = responses.method_names_from_class

    def method_names_from_class(clazz: type) -> list[str]:
        names = method_names.get(clazz)
        if names is None:
            names = method_names[clazz] = list_methods(clazz)
        return names

    responses.method_names_from_class = method_names_from_class


def _speed_up_resource_tags() -> None:
    """Not a fidelity patch: moto finds one EC2 resource's tags by matching every tag in the Region
    against a resource-id pattern, once per resource it writes, so describing ENIs grew with the size
    of the whole account. A resource id has no wildcard, so the pattern matches that id alone: read its
    tags directly, in the same form and order."""
    from moto.ec2.models.core import TaggedEC2Resource
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix

    def get_tags(self: Any) -> list[dict[str, str]]:
        if not self.id:
            return []
        tags = self.ec2_backend.tags.get(self.id, {})
        resource_type = EC2_PREFIX_TO_RESOURCE.get(get_prefix(self.id), "")
        return [
            {"resource_id": self.id, "key": key, "value": value, "resource_type": resource_type}
            for key, value in list(tags.items())
        ]

    TaggedEC2Resource.get_tags = get_tags


def _speed_up_serialization() -> None:
    """Not a fidelity patch: moto's response serializer works out, for every field of every object it
    writes, which attribute names might hold the value (aliases from the model shape, the object's class
    and its Meta). That list depends only on the picker, the object's class, the field and the shape,
    and botocore's shapes live as long as the cached service model, so it is worked out once; so is
    which response transformer, if any, applies to a field's path. The answers are the same; a
    thousand-function benchmark spent a third of its server time in the serializer."""
    from moto.core import serialize
    from moto.core.utils import get_value

    picker_class = serialize.AttributePicker
    missing = serialize.MISSING
    keys_cache: dict[tuple[Any, ...], tuple[str, ...]] = {}
    paths_cache: dict[tuple[Any, ...], Any] = {}

    def pick(self: Any, context: Any) -> Any:
        shape = context.shape
        cache_key = (
            type(self),
            tuple(self.alias_providers),
            type(context.obj),
            context.key,
            id(shape),
        )
        keys = keys_cache.get(cache_key)
        if keys is None:
            keys = keys_cache[cache_key] = tuple(self.get_possible_keys(context))
        obj = context.obj
        value = None
        for possible_key in keys:
            found = get_value(obj, possible_key, missing)
            if found is not missing:
                value = found
                break
        transformers = self.response_transformers
        if not transformers:
            return value
        # The first transformer whose path ends the field's path, remembered per path; moto adds
        # transformers at run time (never removes one), so the table's size is part of the key.
        path_key = (id(transformers), len(transformers), context.key_path, context.key)
        transform_path = paths_cache.get(path_key, missing)
        if transform_path is missing:
            key_path = f"{context.key_path}.{context.key}"
            transform_path = paths_cache[path_key] = next(
                (path for path in transformers if key_path.endswith(path)), None
            )
        return value if transform_path is None else transformers[transform_path](value)

    picker_class.__call__ = pick

    # xmltodict then checks every element name of the XML body character by character; the names
    # come from the model, so each is checked once (an invalid one is never remembered).
    import xmltodict

    check_name = xmltodict._validate_name
    valid_names: set[tuple[Any, str]] = set()

    def validate_name(value: Any, kind: str) -> None:
        if (value, kind) not in valid_names:
            check_name(value, kind)
            valid_names.add((value, kind))

    xmltodict._validate_name = validate_name


def apply_all() -> None:
    import moto

    if moto.__version__ != SUPPORTED_MOTO:
        raise RuntimeError(
            f"the test bed's patches are written for moto {SUPPORTED_MOTO}, found {moto.__version__}"
        )
    _patch_eni_interface_type()
    _patch_eni_delete_drops_association()
    _patch_nat_gateways()
    _patch_nlb_subnet_mappings()
    _patch_associate_address()
    _patch_release_in_use()
    _patch_address_quota()
    _patch_address_absent_fields()
    _patch_address_network_border_group()
    _patch_eventual_consistency()
    _patch_describe_network_interfaces_paging()
    _patch_list_functions_paging()
    _patch_lambda_vpc_and_state()
    _patch_reset_clears_testbed_state()
    _patch_subnet_ipv6_cidr_state()
    _speed_up_request_dispatch()
    _speed_up_serialization()
    _speed_up_resource_tags()
