/**
 * How a deadline reads in the queue, on the server and, bundled, in the browser that keeps it
 * counting down: one function, so the first paint and every tick say the same thing.
 */
export function countdownText(secondsLeft: number): string {
  const overdue = secondsLeft <= 0;
  const total = Math.abs(Math.trunc(secondsLeft));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const parts =
    days > 0 ? [`${days} d`, `${hours} h`] : hours > 0 ? [`${hours} h`, `${minutes} min`] : minutes > 0 ? [`${minutes} min`, `${seconds} s`] : [`${seconds} s`];
  return overdue ? `Overdue by ${parts.join(' ')}` : `${parts.join(' ')} left`;
}

/** Under this many seconds left, a deadline is marked as near. */
export const SOON_SECONDS = 3600;
