import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatElapsed, liveProgress, plainProgress, progressLine } from '../../src/cli/progress.js';

const CLEAR = '\r\u001b[2K';

/** A stream that says it is a terminal of the given width, and keeps everything written to it. */
function fakeTerminal(columns = 80) {
  let written = '';
  const writable = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      done();
    },
  });
  const stream = Object.assign(writable, { isTTY: true, columns });
  return {
    stream,
    written: () => written,
    /** What a terminal shows on the current line: everything after the last clear. */
    currentLine: () => written.slice(written.lastIndexOf(CLEAR) + CLEAR.length),
  };
}

/** A clock the test moves by hand: no real time is waited on or measured. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('liveProgress', () => {
  it('redraws one line in place with the label, counts, failures and the time spent, and clears it on stop', () => {
    const terminal = fakeTerminal();
    const clock = manualClock();
    const progress = liveProgress(terminal.stream, 'observing pool "shop"', {
      intervalMs: 0,
      now: clock.now,
    });
    expect(terminal.currentLine()).toMatch(/^\S observing pool "shop" \(0s\)$/);

    clock.advance(4_200);
    progress.update({ label: 'applying pool "shop"', done: 0, total: 40 });
    expect(terminal.currentLine()).toMatch(/^\S applying pool "shop": 0\/40 \(4s\)$/);

    clock.advance(61_000);
    progress.update({ done: 12, failed: 1 });
    expect(terminal.currentLine()).toMatch(/^\S applying pool "shop": 12\/40, 1 failed \(1m05s\)$/);
    // Nothing but redraws so far: no newline, so the line never scrolls.
    expect(terminal.written()).not.toContain('\n');

    progress.stop();
    expect(terminal.written().endsWith(CLEAR)).toBe(true);
    progress.stop();
    progress.update({ done: 13 });
    expect(terminal.written().endsWith(CLEAR)).toBe(true);
  });

  it('prints log lines above the live line and redraws it below them', () => {
    const terminal = fakeTerminal();
    const progress = liveProgress(terminal.stream, 'applying', { intervalMs: 0 });
    progress.update({ done: 1, total: 2 });
    progress.log('  done: bind 127.0.0.1 to eni-1');
    progress.update({ done: 2 });
    progress.log('warning: something');
    progress.stop();
    // Each log line starts on a cleared line and ends with a newline; the live line is redrawn after it.
    const lines = terminal.written().split('\n');
    expect(lines.slice(0, -1).map((line) => line.slice(line.lastIndexOf(CLEAR) + CLEAR.length))).toEqual([
      '  done: bind 127.0.0.1 to eni-1',
      'warning: something',
    ]);
    expect(lines[1]).toMatch(/applying: 2\/2 \(\d+s\)/);
    // After the last log line: the live line redrawn, then cleared by stop().
    const last = lines.at(-1) ?? '';
    expect(last.startsWith(CLEAR) && last.endsWith(CLEAR)).toBe(true);
    expect(last.slice(CLEAR.length, -CLEAR.length)).toMatch(/^\S applying: 2\/2 \(\d+s\)$/);
  });

  it('cuts the line to the terminal width, so it never wraps', () => {
    const terminal = fakeTerminal(30);
    const progress = liveProgress(terminal.stream, 'x'.repeat(100), { intervalMs: 0 });
    expect([...terminal.currentLine()]).toHaveLength(29);
    expect(terminal.currentLine().endsWith('…')).toBe(true);
    progress.stop();
  });

  it('turns the spinner on its timer, which never keeps the process alive, until stopped', async () => {
    const terminal = fakeTerminal();
    const progress = liveProgress(terminal.stream, 'waiting', { intervalMs: 1 });
    // Wait for redraws by counting them, not by timing them.
    while (terminal.written().split(CLEAR).length < 5) await new Promise((resolve) => setImmediate(resolve));
    const frames = new Set(
      terminal
        .written()
        .split(CLEAR)
        .filter(Boolean)
        .map((line) => line.split(' ')[0]),
    );
    expect(frames.size).toBeGreaterThan(1);
    progress.stop();
    const after = terminal.written();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(terminal.written()).toBe(after);
  });
});

describe('plainProgress', () => {
  it('prints each new label once and every log line, and no counts', () => {
    const lines: string[] = [];
    const progress = plainProgress((line) => lines.push(line), 'observing pool "shop"');
    progress.update({ done: 0, total: 3 });
    progress.update({ label: 'applying pool "shop"', done: 1 });
    progress.update({ label: 'applying pool "shop"', done: 2 });
    progress.log('  done: one');
    progress.stop();
    expect(lines).toEqual(['observing pool "shop"...', 'applying pool "shop"...', '  done: one']);
  });
});

describe('progressLine and formatElapsed', () => {
  it.each([
    [{ label: 'waiting' }, 0, 'waiting (0s)'],
    [{ label: 'waiting', done: 3 }, 59_999, 'waiting: 3 done (59s)'],
    [{ label: 'applying', done: 3, total: 5, failed: 0 }, 60_000, 'applying: 3/5 (1m00s)'],
    [{ label: 'applying', done: 3, total: 5, failed: 2 }, 3_725_000, 'applying: 3/5, 2 failed (1h02m)'],
  ])('%j after %d ms reads %s', (state, elapsed, expected) => {
    expect(progressLine(state, elapsed)).toBe(expected);
  });

  it('never shows a negative time', () => {
    expect(formatElapsed(-5)).toBe('0s');
  });
});
