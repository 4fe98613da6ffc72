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
import copy
import json
import random
import threading
import time
from collections import deque
from types import SimpleNamespace
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
from moto.ec2.utils import generate_dns_from_ip
from moto.moto_api._internal.models import moto_api_backend

SUPPORTED_MOTO = "5.2.1"

# Mutable test-bed settings, changed at run time through POST /_testbed/config.
_lock = threading.Lock()
SETTINGS: dict[str, Any] = {
    "eipQuota": 5,
    "consistency": {"newAddressCalls": 0, "newEniCalls": 0, "ms": 0},
    "staleReads": {"maxMs": 0, "seed": 0},
}
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


def _drop_association(address: ElasticAddress, event: str, **details: Any) -> None:
    """Forgets an Elastic IP's association, as AWS does when the ENI it was on goes away (`dropped`) or
    when another address is associated with that ENI (`displaced`); the change is recorded."""
    eni_id = address.eni.id if address.eni is not None else None
    address.eni = None
    address.instance = None
    address.association_id = None
    _note_association(address, event, networkInterfaceId=eni_id, **details)


# Header a caller sends to act as AWS itself (the Lambda simulator playing the Lambda service, or a test
# reading the truth): its describes are never stale and it may delete Lambda's in-use ENIs.
AWS_CALLER_HEADER = "x-lsi-testbed-caller"
# Response header of a stale describe: how many milliseconds back it answered from.
STALE_MS_HEADER = "x-lsi-stale-ms"


def _caller_is_aws(response: Any) -> bool:
    headers = getattr(response, "headers", None) or {}
    return str(headers.get(AWS_CALLER_HEADER, "")).lower() == "aws"


def _named_address(backend: Any, address: str | None, allocation_id: str | None) -> ElasticAddress:
    """The Elastic IP a call names, by public IP or by allocation id (moto's NotFound errors otherwise)."""
    return (backend.address_by_ip([address]) if address else backend.address_by_allocation([allocation_id]))[0]


# --- Association history ----------------------------------------------------------------------------
# Every change of an Elastic IP's association, kept two ways: per address, the states it went through
# (what a stale describe answers from), and one log of events for tests (GET /_testbed/associations),
# in which a displacement (a second address bound to an ENI pushing the first off) can be seen although
# the end state never shows two addresses on one ENI.

_STARTED = time.monotonic()
# allocation id (public IP for a standard address) -> [(monotonic time, (eni id, association id, instance id))]
_HISTORY: dict[str, list[tuple[float, tuple[str | None, str | None, str | None]]]] = {}
_EVENTS: deque[dict[str, Any]] = deque(maxlen=20_000)
_COUNTS = {"events": 0, "displaced": 0, "staleAnswers": 0}
# How long a state must be remembered beyond the configured staleness before it is pruned.
_HISTORY_MARGIN_S = 1.0


def _address_key(address: ElasticAddress) -> str:
    return address.allocation_id or address.public_ip


def _association_state(address: ElasticAddress) -> tuple[str | None, str | None, str | None]:
    return (
        address.eni.id if address.eni is not None else None,
        address.association_id,
        address.instance.id if address.instance is not None else None,
    )


def _log_event(event: str, **fields: Any) -> None:
    """Appends one event to the association log (the caller holds _lock)."""
    record = {"seq": _COUNTS["events"], "ms": round((time.monotonic() - _STARTED) * 1000, 1), "event": event}
    record.update({key: value for key, value in fields.items() if value is not None})
    _COUNTS["events"] += 1
    if event == "displaced":
        _COUNTS["displaced"] += 1
    _EVENTS.append(record)


def _note_association(address: ElasticAddress, event: str, **details: Any) -> None:
    """Records an address's association as it is now, and the event that made it so."""
    now = time.monotonic()
    with _lock:
        entries = _HISTORY.setdefault(_address_key(address), [])
        state = _association_state(address)
        if not entries or entries[-1][1] != state:
            entries.append((now, state))
        # Keep what a stale describe may still ask for, and the last state older than that.
        horizon = now - int(SETTINGS["staleReads"].get("maxMs", 0)) / 1000 - _HISTORY_MARGIN_S
        while len(entries) > 1 and entries[1][0] < horizon:
            entries.pop(0)
        fields = {
            "allocationId": address.allocation_id,
            "publicIp": address.public_ip,
            "networkInterfaceId": state[0],
            "associationId": state[1],
        }
        fields.update(details)
        _log_event(event, **fields)


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
                _drop_association(address, "dropped", reason="network interface deleted")

    NetworkInterfaceBackend.delete_network_interface = delete_network_interface


def _patch_lambda_eni_delete_in_use() -> None:
    """AWS: a network interface in use cannot be deleted (InvalidNetworkInterface.InUse, "The specified
    interface is currently in use and cannot be deleted", in the EC2 API's error codes,
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html), and a Lambda ENI's
    `ela-attach` attachment cannot be detached by the account: only Lambda deletes its ENIs. moto deletes
    it. The test bed refuses DeleteNetworkInterface of an in-use `lambda` ENI unless the caller plays
    Lambda (header x-lsi-testbed-caller: aws, as the Lambda simulator sends)."""
    original = ElasticNetworkInterfaces.delete_network_interface

    def delete_network_interface(self: ElasticNetworkInterfaces) -> Any:
        eni_id = self._get_param("NetworkInterfaceId")
        eni = self.ec2_backend.enis.get(eni_id)
        in_use_lambda = eni is not None and getattr(eni, "interface_type", None) == "lambda" and eni.status == "in-use"
        if in_use_lambda and not _caller_is_aws(self):
            raise EC2ClientError("InvalidNetworkInterface.InUse", f"Interface: [{eni_id}] in use.")
        return original(self)

    ElasticNetworkInterfaces.delete_network_interface = delete_network_interface


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
        moved_from = None
        if eni is not None:
            if previous_eni is not None and previous_eni.id != eni.id:
                previous_eni.public_ip = None
                moved_from = previous_eni.id
            for other in self.addresses:
                if other is not result and other.eni is not None and other.eni.id == eni.id:
                    _drop_association(other, "displaced", by=result.allocation_id)
            eni.public_ip = result.public_ip
        _note_association(result, "associated", movedFrom=moved_from)
        return result

    ElasticAddressBackend.associate_address = associate_address

    original_disassociate = ElasticAddressBackend.disassociate_address

    def disassociate_address(self: Any, address: str | None = None, association_id: str | None = None) -> None:
        target = _named_address(self, address, None) if address else self.address_by_association([association_id])[0]
        was_associated = _is_associated(target)
        eni_id = target.eni.id if target.eni is not None else None
        original_disassociate(self, address, association_id)
        if was_associated:
            _note_association(target, "disassociated", networkInterfaceId=eni_id)

    ElasticAddressBackend.disassociate_address = disassociate_address


def _patch_release_in_use() -> None:
    """AWS: ReleaseAddress of an associated address fails with InvalidIPAddress.InUse."""
    original = ElasticAddressBackend.release_address

    def release_address(self: Any, address: str | None = None, allocation_id: str | None = None) -> None:
        target = _named_address(self, address, allocation_id)
        if _is_associated(target):
            raise EC2ClientError("InvalidIPAddress.InUse", f"Address {target.public_ip} is in use.")
        original(self, address, allocation_id)
        with _lock:
            _HISTORY.pop(_address_key(target), None)
            _log_event("released", allocationId=target.allocation_id, publicIp=target.public_ip)

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
# --- Stale reads -------------------------------------------------------------------------------------

# Calls answered stale so far, per operation: with the seed, they make each call's staleness.
_STALE_CALLS: dict[str, int] = {}
# The moment the describe running on this thread answers as of (monotonic), when it is stale.
_AS_OF = threading.local()


class _Gone:
    """An ENI or instance an old association named that no longer exists: its id is all a describe needs."""

    def __init__(self, resource_id: str, owner_id: str) -> None:
        self.id = resource_id
        self.owner_id = owner_id
        self.private_ip_address = None
        self.nics: list[Any] = []


def _stale_moment(response: Any, operation: str) -> float | None:
    """The monotonic moment this describe answers as of: now minus a seeded random delay of up to
    staleReads.maxMs, drawn from (seed, operation, how many such calls came before); None when fresh."""
    if _caller_is_aws(response):
        return None
    with _lock:
        settings = SETTINGS["staleReads"]
        max_ms = int(settings.get("maxMs", 0))
        if max_ms <= 0:
            return None
        count = _STALE_CALLS.get(operation, 0)
        _STALE_CALLS[operation] = count + 1
        delay_ms = random.Random(f"{settings.get('seed', 0)}:{operation}:{count}").random() * max_ms
    # Said in the answer, for tests (and curious humans): how far back this describe looked.
    response.response_headers[STALE_MS_HEADER] = f"{delay_ms:.3f}"
    return time.monotonic() - delay_ms / 1000


def _state_as_of(address: ElasticAddress, as_of: float) -> tuple[str | None, str | None, str | None]:
    """An address's association at a past moment: the last recorded state at or before it. Before its
    first recorded change an address was unassociated (every change is recorded from the start)."""
    with _lock:
        entries = list(_HISTORY.get(_address_key(address), []))
    if not entries:
        return _association_state(address)
    state: tuple[str | None, str | None, str | None] = (None, None, None)
    for moment, recorded in entries:
        if moment > as_of:
            break
        state = recorded
    return state


def _addresses_as_of(backend: Any, as_of: float) -> list[ElasticAddress]:
    """The Region's addresses with their associations as they were then; existence stays current
    (addresses EC2 does not know yet are the `consistency` setting's business)."""
    answered = []
    behind = False
    for address in list(backend.addresses):
        state = _state_as_of(address, as_of)
        if state == _association_state(address):
            answered.append(address)
            continue
        old = copy.copy(address)
        eni_id, association_id, instance_id = state
        old.eni = (backend.enis.get(eni_id) or _Gone(eni_id, backend.account_id)) if eni_id else None
        old.instance = _Gone(instance_id, backend.account_id) if instance_id else None
        old.association_id = association_id
        answered.append(old)
        behind = True
    _count_stale_answer(behind)
    return answered


def _enis_as_of(backend: Any, enis: list[Any], as_of: float) -> list[Any]:
    """The given ENIs with the Elastic IP each held then (and its association id), as one moment."""
    held: dict[str, tuple[ElasticAddress, str | None]] = {}
    elastic_ips = set()
    for address in list(backend.addresses):
        elastic_ips.add(address.public_ip)
        eni_id, association_id, _ = _state_as_of(address, as_of)
        if eni_id:
            held[eni_id] = (address, association_id)
    answered = []
    behind = False
    for eni in enis:
        then = held.get(eni.id)
        if then is None and (not eni.public_ip or eni.public_ip not in elastic_ips):
            answered.append(eni)  # no Elastic IP then, and none (or not an Elastic IP) now
            continue
        if then is not None and then[0].public_ip == eni.public_ip and then[1] == then[0].association_id:
            answered.append(eni)  # the same association now as then
            continue
        old = copy.copy(eni)
        if then is None:
            old.public_ip = None
            old._lsi_association = {}
        else:
            address, association_id = then
            old.public_ip = address.public_ip
            old._lsi_association = {
                "allocationId": address.allocation_id,
                "associationId": association_id,
                "natEnabled": True,
                "publicIp": address.public_ip,
                "publicDnsName": generate_dns_from_ip(address.public_ip),
                "ipOwnerId": backend.account_id,
            }
        answered.append(old)
        behind = True
    _count_stale_answer(behind)
    return answered


def _count_stale_answer(behind: bool) -> None:
    """Counts the describes whose answer differs from the current state (GET /_testbed/associations)."""
    if behind:
        with _lock:
            _COUNTS["staleAnswers"] += 1


def _patch_stale_reads() -> None:
    """AWS: the EC2 API is eventually consistent; a describe may not reflect changes made moments before
    (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). With POST
    /_testbed/config {"staleReads": {"maxMs": N, "seed": S}}, DescribeAddresses and
    DescribeNetworkInterfaces answer association state as it was a random 0..N ms earlier (seeded), each
    call as of one moment: its filters (network-interface-id, association-id, ...) and the ENI side of
    each association agree with that moment. Writes always act on the current state. Callers sending
    x-lsi-testbed-caller: aws (the Lambda simulator, a test reading the truth) always read fresh."""
    original_model_describe = ElasticAddressBackend.describe_addresses

    def describe_addresses_model(
        self: Any, allocation_ids: Any = None, public_ips: Any = None, filters: Any = None
    ) -> list[ElasticAddress]:
        as_of = getattr(_AS_OF, "moment", None)
        if as_of is None:
            return original_model_describe(self, allocation_ids, public_ips, filters)
        then = SimpleNamespace(addresses=_addresses_as_of(self, as_of))
        return original_model_describe(then, allocation_ids, public_ips, filters)

    ElasticAddressBackend.describe_addresses = describe_addresses_model

    original_describe_addresses = ElasticIPAddresses.describe_addresses

    def describe_addresses(self: ElasticIPAddresses) -> Any:
        _AS_OF.moment = _stale_moment(self, "DescribeAddresses")
        try:
            return original_describe_addresses(self)
        finally:
            _AS_OF.moment = None

    ElasticIPAddresses.describe_addresses = describe_addresses

    original_describe_enis = ElasticNetworkInterfaces.describe_network_interfaces

    def describe_network_interfaces(self: ElasticNetworkInterfaces) -> Any:
        as_of = _stale_moment(self, "DescribeNetworkInterfaces")
        result = original_describe_enis(self)
        if as_of is not None:
            # moto's ENI filters never read the association (association.* is not implemented), so the
            # ENIs the filters chose are the right ones; only what each holds goes back in time.
            enis = _enis_as_of(self.ec2_backend, result.result["NetworkInterfaces"], as_of)
            result._result = {**result.result, "NetworkInterfaces": enis}
        return result

    ElasticNetworkInterfaces.describe_network_interfaces = describe_network_interfaces

    original_association = NetworkInterface.association

    def association(self: NetworkInterface) -> Any:
        stale = self.__dict__.get("_lsi_association")
        return stale if stale is not None else original_association.fget(self)

    NetworkInterface.association = property(association)


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
    - CreateNatGateway does not fail as a call when the gateway cannot work: the gateway is created and
      ends in State=failed, holding nothing, with the FailureCode and FailureMessage the NatGateway API
      reference lists (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NatGateway.html):
      Gateway.NotAttached, "Network vpc-... has no Internet gateway attached", in a VPC without an
      internet gateway (moto: the call fails, through the AssociateAddress patch); and
      Resource.AlreadyAssociated, "Elastic IP address eipalloc-... is already associated", when its
      Elastic IP is bound elsewhere (moto: the call fails);
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
        failure: tuple[str, str] | None = None
        if connectivity_type != "private":
            vpc_id = self.get_subnet(subnet_id).vpc_id
            if not _vpc_has_attached_internet_gateway(self, vpc_id):
                failure = ("Gateway.NotAttached", f"Network {vpc_id} has no Internet gateway attached")
            elif allocation_id and _is_associated(self.address_by_allocation([allocation_id])[0]):
                failure = ("Resource.AlreadyAssociated", f"Elastic IP address {allocation_id} is already associated")
        gateway = original_create(self, subnet_id, None if failure else allocation_id, tags, connectivity_type)
        if failure:
            gateway.state = "failed"
            gateway.failure_code, gateway.failure_message = failure
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
            _HISTORY.clear()
            _EVENTS.clear()
            _COUNTS.update({"events": 0, "displaced": 0, "staleAnswers": 0})
            _STALE_CALLS.clear()

    moto_api_backend.reset = reset


# --- EventBridge ------------------------------------------------------------------------------------


def _patch_schedule_rules_match_no_event() -> None:
    # A rule with a ScheduleExpression and no EventPattern runs on its schedule only (EventBridge user
    # guide, "Rules in Amazon EventBridge": rules match on event data, or run on a schedule); moto 5.2.1 reads its missing pattern as "match
    # everything" and sends every PutEvents event to its targets, failing (500) on a Lambda target.
    from moto.events.models import Rule

    original = Rule.send_to_targets

    def send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
        if self.scheduled_expression and not self.event_pattern.get_pattern():
            return
        original(self, original_event, transform_input)

    Rule.send_to_targets = send_to_targets


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
    if path == "/_testbed/associations" and method == "GET":
        with _lock:
            return 200, {
                "events": list(_EVENTS),
                "total": _COUNTS["events"],
                "displacements": _COUNTS["displaced"],
                "staleAnswers": _COUNTS["staleAnswers"],
            }
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
            if "staleReads" in payload:
                stale = payload["staleReads"]
                keys = ("maxMs", "seed")
                if not isinstance(stale, dict) or any(
                    key not in keys or not isinstance(value, int) or value < 0 for key, value in stale.items()
                ):
                    return 400, {"error": f"staleReads takes non-negative integers {keys}, got {stale!r}"}
                SETTINGS["staleReads"] = {"maxMs": 0, "seed": 0, **stale}
                # The same seed gives the same sequence of staleness from here on.
                _STALE_CALLS.clear()
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


def apply_all(speed: bool = True) -> None:
    """Applies every fidelity patch, and the speed-only ones unless `speed` is False (the test that
    proves them neutral compares a server with and without them)."""
    import moto

    if moto.__version__ != SUPPORTED_MOTO:
        raise RuntimeError(
            f"the test bed's patches are written for moto {SUPPORTED_MOTO}, found {moto.__version__}"
        )
    _patch_eni_interface_type()
    _patch_eni_delete_drops_association()
    _patch_lambda_eni_delete_in_use()
    _patch_nat_gateways()
    _patch_nlb_subnet_mappings()
    _patch_associate_address()
    _patch_release_in_use()
    _patch_address_quota()
    _patch_address_absent_fields()
    _patch_address_network_border_group()
    _patch_stale_reads()
    _patch_eventual_consistency()
    _patch_describe_network_interfaces_paging()
    _patch_list_functions_paging()
    _patch_lambda_vpc_and_state()
    _patch_reset_clears_testbed_state()
    _patch_subnet_ipv6_cidr_state()
    _patch_schedule_rules_match_no_event()
    if speed:
        _speed_up_request_dispatch()
        _speed_up_serialization()
        _speed_up_resource_tags()
