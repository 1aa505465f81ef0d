// Per-ABI facts: ABIs and their audit arches, syscall tables generated from libseccomp's
// syscalls.csv (data/), kernel and libseccomp releases that introduced each syscall.
export {
  ABI_INFO,
  ABIS,
  type Abi,
  type AbiInfo,
  abiOf,
  abiOfScmpArch,
  isAbi,
  type SyscallTableName,
} from './abis.js';
export {
  ARCHES,
  type Arch,
  AUDIT_ARCH,
  archOf,
  isArch,
  nativeArch,
  reachableArches,
  X32_SYSCALL_BIT,
} from './arches.js';
export {
  compareKernelReleases,
  formatKernelRelease,
  introducedAfter,
  introducedIn,
  KERNEL_RELEASE_FLOOR,
  type KernelRelease,
  parseKernelRelease,
  type SyscallIntroduction,
} from './kernel-release.js';
export {
  compareLibseccompVersions,
  LIBSECCOMP_NEWEST_RELEASE,
  LIBSECCOMP_OLDEST_RELEASE,
  type LibseccompVersion,
  libseccompFirstRelease,
  libseccompKnows,
  parseLibseccompVersion,
} from './libseccomp-release.js';
export {
  abisWithSyscall,
  allSyscallNames,
  isSyscallName,
  lookupSyscall,
  type SyscallLookup,
} from './names.js';
export {
  describeSyscall,
  highestSyscallNumber,
  syscallName,
  syscallNames,
  syscallNumber,
  syscallTable,
  unnamedNumbersAbove,
} from './table.js';
