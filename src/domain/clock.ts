/**
 * Where time comes from. Everything that stamps, expires or counts down (records, deadlines,
 * retention, strikes, job back-off) asks a clock rather than `new Date()`, so tests can move
 * time forward instead of sleeping.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: for tests and replays. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
    if (Number.isNaN(this.current)) throw new RangeError(`ManualClock: ${String(start)} is not a date`);
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves forward by `ms` milliseconds (never backwards: time that runs back breaks deadlines). */
  advance(ms: number): Date {
    if (!(ms >= 0)) throw new RangeError(`ManualClock: cannot advance by ${ms} ms`);
    this.current += ms;
    return this.now();
  }

  set(to: Date | string): void {
    const next = new Date(to).getTime();
    if (!(next >= this.current)) throw new RangeError(`ManualClock: cannot go back to ${String(to)}`);
    this.current = next;
  }
}
