// A terminal that hung up (SIGHUP after its window closed): the stdio fds still name it, and every
// write or tcsetattr on it fails with EIO. Node 20 resets the terminal mode at exit and aborts on
// that EIO (node::ResetStdio asserts), which would turn a run that wrote its recording into a core
// dump with exit 134. Node skips fds that no longer name the file they named at start-up, so point
// those at /dev/null; and its tty streams write through a descriptor of their own (libuv reopens
// the terminal), whose EIO would be an uncaught error: those errors are dropped. Nothing more goes
// into the void, and the exit code stays ours.
import { closeSync, openSync } from 'node:fs';
import { dup2, errno, tcgetattr } from './libc.js';

const EIO = 5;
const termios = new Uint32Array(16);

/** Points stdio fds on a terminal that hung up at /dev/null. Cheap; does nothing otherwise. */
export function releaseHungUpTerminal(): void {
  // A hung-up terminal answers every ioctl with EIO (isatty too); anything else says ENOTTY or works.
  const gone = [0, 1, 2].filter((fd) => tcgetattr(fd, termios) !== 0 && errno() === EIO);
  if (gone.length === 0) return;
  const devNull = openSync('/dev/null', 'r+');
  for (const fd of gone) dup2(devNull, fd);
  closeSync(devNull);
  const ignore = () => {};
  if (gone.includes(1)) process.stdout.on('error', ignore);
  if (gone.includes(2)) process.stderr.on('error', ignore);
}
