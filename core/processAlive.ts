// Whether a lock's owner still runs: signal 0 checks a pid without touching the process. EPERM means it
// exists but belongs to someone else, which still counts as alive.

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
