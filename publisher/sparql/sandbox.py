"""The query sandbox: a process that handles client queries can never open a network connection.

A seccomp filter, applied to every thread of the process, makes socket() fail with EPERM (all
address families: the process talks to its parent only through pipes it inherited) and refuses
io_uring, which could create sockets without calling socket(). Whatever a query asks for, even a
SERVICE the guard did not see, the engine then cannot reach any host.

The filter is a small BPF program loaded with the seccomp(2) system call through ctypes: no
dependency, and the whole policy fits on one screen. Once loaded it cannot be removed.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct

# The environment variable that lets a query process run without the sandbox where the kernel
# refuses seccomp (see docs/security.md); without it such a process refuses to start.
ALLOW_UNSANDBOXED = "PUBLISHER_ALLOW_UNSANDBOXED_QUERIES"


class SandboxUnavailable(OSError):
    pass


# From <linux/audit.h>, <asm/unistd.h>, <linux/seccomp.h>, <linux/filter.h>, <linux/prctl.h>.
_ARCHES = {  # machine: (AUDIT_ARCH_*, socket, io_uring_setup, seccomp syscall numbers)
    "x86_64": (0xC000003E, 41, 425, 317),
    "aarch64": (0xC00000B7, 198, 425, 277),
}
_X32_SYSCALL_BIT = 0x40000000
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_EPERM = 1
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_NR_OFFSET, _ARCH_OFFSET = 0, 4  # in struct seccomp_data


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _instruction(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def filter_program(machine: str) -> bytes:
    """The BPF program: refuse socket() and io_uring_setup() with EPERM, and every system call of
    another ABI (32-bit or x32 calls have other numbers, socketcall among them)."""
    arch, socket_nr, io_uring_nr, _ = _ARCHES[machine]
    deny = _RET_ERRNO | _EPERM
    return b"".join([
        _instruction(_LD_W_ABS, 0, 0, _ARCH_OFFSET),
        _instruction(_JEQ_K, 1, 0, arch),
        _instruction(_RET_K, 0, 0, deny),
        _instruction(_LD_W_ABS, 0, 0, _NR_OFFSET),
        _instruction(_JGE_K, 3, 0, _X32_SYSCALL_BIT),
        _instruction(_JEQ_K, 2, 0, socket_nr),
        _instruction(_JEQ_K, 1, 0, io_uring_nr),
        _instruction(_RET_K, 0, 0, _RET_ALLOW),
        _instruction(_RET_K, 0, 0, deny),
    ])


def install() -> None:
    """Applies the filter to all threads of this process; raises SandboxUnavailable if it cannot."""
    machine = platform.machine()
    if platform.system() != "Linux" or machine not in _ARCHES:
        raise SandboxUnavailable(f"no seccomp filter for this system ({platform.system()} {machine})")
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError as error:
        raise SandboxUnavailable(f"the C library could not be loaded: {error}") from None
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    code = filter_program(machine)
    buffer = ctypes.create_string_buffer(code, len(code))
    program = _Program(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    seccomp_nr = _ARCHES[machine][3]
    result = libc.syscall(ctypes.c_long(seccomp_nr), ctypes.c_uint(_SECCOMP_SET_MODE_FILTER),
                          ctypes.c_uint(_SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(program))
    if result != 0:
        # With TSYNC a positive result is the id of a thread that could not be synchronised.
        reason = os.strerror(ctypes.get_errno()) if result < 0 else f"thread {result} could not take the filter"
        raise SandboxUnavailable(f"the kernel refused the seccomp filter: {reason}")


def allowed_without() -> bool:
    return os.environ.get(ALLOW_UNSANDBOXED, "") == "1"
