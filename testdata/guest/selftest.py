#!/usr/bin/env python3
"""Proves the test guest works against the real libvirtd (qemu:///system), stdlib only.

  selftest.py [OUTDIR]    (default /var/lib/libvirt/images/kvmtui-guest; runs build.sh first)
  KERNEL=vmlinuz selftest.py   boots the compressed bzImage instead of OUTDIR/vmlinux

Defines kvmtui-test-fixture from domain.xml.in, boots it with the serial console attached
(virsh console in a pty), checks the banner, the prompt, a command, Ctrl-C, then ACPI
shutdown (virsh shutdown) and Ctrl+Alt+Del (virsh send-key) reboot, and times each step.
Always destroys and undefines the domain at the end. Exit status 0 when all passed.
"""
import os, pty, re, select, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "kvmtui-test-fixture"
URI = "qemu:///system"
BANNER = b"kvmtui-guest: booted"
PROMPT = b"kvmtui-guest# "


def virsh(*args, check=True):
    r = subprocess.run(["virsh", "-c", URI, *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise SystemExit(f"virsh {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout.strip()


def state():
    return virsh("domstate", NAME, check=False)


class Console:
    """virsh console NAME in a pty; a tiny expect."""

    def __init__(self, log):
        self.master, slave = pty.openpty()
        self.p = subprocess.Popen(["virsh", "-c", URI, "console", "--force", NAME],
                                  stdin=slave, stdout=slave, stderr=slave,
                                  start_new_session=True)
        os.close(slave)
        self.buf = b""
        self.log = log

    def expect(self, pat, timeout):
        """Waits for regex pat (bytes) in the output; returns the match, consumes up to it."""
        rx = re.compile(pat)
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {pat!r} within {timeout}s; tail: {self.buf[-300:]!r}")
            r, _, _ = select.select([self.master], [], [], left)
            if r:
                try:
                    data = os.read(self.master, 4096)
                except OSError:  # EIO: virsh console exited (domain stopped)
                    data = b""
                if not data:
                    m = rx.search(self.buf)
                    if m:
                        return m
                    raise EOFError(f"console closed before {pat!r}; tail: {self.buf[-300:]!r}")
                self.log.write(data)
                self.log.flush()
                self.buf += data

    def send(self, s):
        os.write(self.master, s)

    def close(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        os.close(self.master)


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "/var/lib/libvirt/images/kvmtui-guest"
    subprocess.run([os.path.join(HERE, "build.sh"), outdir], check=True)
    if virsh("dominfo", NAME, check=False):
        raise SystemExit(f"domain {NAME} already exists; remove it first")

    kernel = os.environ.get("KERNEL") or (
        "vmlinux" if os.path.exists(f"{outdir}/vmlinux") else "vmlinuz")
    print(f"kernel: {outdir}/{kernel}")
    xml = open(os.path.join(HERE, "domain.xml.in")).read()
    xml = (xml.replace("@NAME@", NAME).replace("@KERNEL@", f"{outdir}/{kernel}")
              .replace("@INITRD@", f"{outdir}/initrd.img"))
    xmlpath = f"/tmp/{NAME}.xml"
    with open(xmlpath, "w") as f:
        f.write(xml)
    logpath = f"/tmp/{NAME}.console.log"
    log = open(logpath, "wb")
    results = []

    def ok(what, detail=""):
        results.append(what)
        print(f"PASS {what}{': ' + detail if detail else ''}", flush=True)

    con = None
    try:
        t = time.monotonic()
        print(virsh("define", xmlpath))
        ok("define", f"{time.monotonic() - t:.1f}s")
        # Start paused and attach first, so the whole boot log is on the console.
        virsh("start", "--paused", NAME)
        con = Console(log)
        time.sleep(0.5)
        t0 = time.monotonic()
        virsh("resume", NAME)
        con.expect(rb"Linux version \S+", 30)
        ok("kernel log on the console", f"first line {time.monotonic() - t0:.1f}s after resume")
        m = con.expect(rb"kvmtui-guest: kernel \S+, ([0-9.]+)s since boot", 60)
        con.expect(re.escape(BANNER), 10)
        t_banner = time.monotonic() - t0
        con.expect(re.escape(PROMPT), 10)
        t_prompt = time.monotonic() - t0
        ok("boot to prompt", f"banner {t_banner:.1f}s, prompt {t_prompt:.1f}s after resume "
           f"(guest uptime at banner {m.group(1).decode()}s)")

        shot = f"/tmp/{NAME}.ppm"
        virsh("screenshot", NAME, shot)
        with open(shot, "rb") as f:
            head = f.read(2)
        if head not in (b"P6", b"\x89P"):
            raise SystemExit(f"screenshot {shot}: unexpected format {head!r}")
        ok("screenshot", shot)
        ifaces = virsh("domiflist", NAME).splitlines()[2:]
        if any(l.strip() for l in ifaces):
            raise SystemExit(f"guest has a NIC: {ifaces}")
        ok("no NIC")

        con.send(b"echo hello-$((6*7))\r")
        con.expect(rb"hello-42", 10)
        con.expect(re.escape(PROMPT), 10)
        ok("command", "hello-42")

        con.send(b"sleep 100\r")
        time.sleep(1)
        con.send(b"\x03")
        t = time.monotonic()
        con.expect(re.escape(PROMPT), 5)
        ok("Ctrl-C interrupts the foreground job", f"{time.monotonic() - t:.1f}s")

        con.send(b"tty; mount | grep -c tmpfs; ls /dev/input\r")
        con.expect(rb"/dev/ttyS0", 5)
        con.expect(re.escape(PROMPT), 5)
        ok("shell on /dev/ttyS0")

        t = time.monotonic()
        virsh("shutdown", NAME)
        con.expect(rb"ACPI power button: powering off", 30)
        con.expect(rb"reboot: Power down", 30)
        while state() != "shut off":
            if time.monotonic() - t > 30:
                raise SystemExit(f"not shut off 30s after virsh shutdown: {state()}")
            time.sleep(0.2)
        ok("ACPI shutdown", f"shut off {time.monotonic() - t:.1f}s after virsh shutdown")
        con.close()
        con = None

        virsh("start", "--paused", NAME)
        con = Console(log)
        time.sleep(0.5)
        t0 = time.monotonic()
        virsh("resume", NAME)
        con.expect(re.escape(PROMPT), 60)
        ok("second boot", f"prompt {time.monotonic() - t0:.1f}s after resume")
        con.send(b"\r")
        con.expect(re.escape(PROMPT), 5)
        t = time.monotonic()
        virsh("send-key", NAME, "KEY_LEFTCTRL", "KEY_LEFTALT", "KEY_DELETE")
        con.expect(rb"reboot: Restarting system", 30)
        t_restart = time.monotonic() - t
        con.expect(re.escape(BANNER), 60)
        t_banner = time.monotonic() - t
        con.expect(re.escape(PROMPT), 10)
        ok("Ctrl+Alt+Del reboot", f"restart {t_restart:.1f}s, banner again {t_banner:.1f}s, "
           f"prompt {time.monotonic() - t:.1f}s after send-key; state {state()}")
        con.send(b"echo again-$((6*7))\r")
        con.expect(rb"again-42", 10)
        ok("shell after reboot")
    finally:
        if con:
            con.close()
        if state() not in ("shut off", ""):
            virsh("destroy", NAME, check=False)
        virsh("undefine", NAME, check=False)
        left = virsh("list", "--all", "--name", check=False).split()
        print(f"cleanup: {NAME} {'STILL DEFINED' if NAME in left else 'undefined'}; "
              f"console transcript in {logpath}")
    print(f"all {len(results)} checks passed")


if __name__ == "__main__":
    main()
