#!/usr/bin/env bash
# Builds a Debian package of kvmtui from a built binary (make deb):
#   packaging/deb.sh BINARY VERSION OUTDIR
# The package holds the binary, the man pages, the bash, zsh and fish
# completions and the README; its Depends come from dpkg-shlibdeps (libvirt0
# and libc6 at the versions the binary links against). Prints the .deb's path.
set -euo pipefail

bin=$1 version=$2 out=$3
root=$(cd "$(dirname "$0")/.." && pwd)
for t in dpkg-deb dpkg-shlibdeps; do
  command -v "$t" >/dev/null || { echo "deb: $t is missing (apt-get install dpkg-dev)" >&2; exit 1; }
done

# A Debian version starts with a digit: a tag v1.2.3 gives 1.2.3, a bare
# commit 0~gitYYYYMMDDhhmmss.COMMIT (the commit's date, so newer sorts higher).
case $version in
  v[0-9]*|[0-9]*) debver=${version#v} ;;
  *) debver="0~git$(git -C "$root" log -1 --format=%cd --date=format:%Y%m%d%H%M%S 2>/dev/null || echo 0).$version" ;;
esac
debver=${debver//-/+}
arch=$(dpkg --print-architecture)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg=$work/pkg
install -D -m 0755 "$bin" "$pkg/usr/bin/kvmtui"
strip --strip-unneeded "$pkg/usr/bin/kvmtui" 2>/dev/null || true

# Man pages and completions, written by the binary itself.
man=$work/man
(cd "$root" && go run ./cmd/genman "$man")
install -d "$pkg/usr/share/man/man1"
for p in "$man"/*.1; do gzip -9n <"$p" >"$pkg/usr/share/man/man1/$(basename "$p").gz"; done
install -d "$pkg/usr/share/bash-completion/completions" "$pkg/usr/share/zsh/vendor-completions" \
  "$pkg/usr/share/fish/vendor_completions.d" "$pkg/usr/share/doc/kvmtui"
"$bin" completion bash >"$pkg/usr/share/bash-completion/completions/kvmtui"
"$bin" completion zsh >"$pkg/usr/share/zsh/vendor-completions/_kvmtui"
"$bin" completion fish >"$pkg/usr/share/fish/vendor_completions.d/kvmtui.fish"
gzip -9n <"$root/README.md" >"$pkg/usr/share/doc/kvmtui/README.md.gz"
find "$pkg/usr/share" -type f -exec chmod 0644 {} +

# dpkg-shlibdeps reads a debian/control; a minimal one in the work dir.
mkdir -p "$work/debian"
printf 'Source: kvmtui\n\nPackage: kvmtui\nArchitecture: any\n' >"$work/debian/control"
depends=$(cd "$work" && dpkg-shlibdeps -O "pkg/usr/bin/kvmtui" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "deb: dpkg-shlibdeps found no libraries for $bin" >&2; exit 1; }

install -d "$pkg/DEBIAN"
cat >"$pkg/DEBIAN/control" <<CONTROL
Package: kvmtui
Version: $debver
Architecture: $arch
Maintainer: kvmtui developers <kvmtui@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: $depends
Suggests: virt-viewer, openssh-client
Section: admin
Priority: optional
Homepage: https://libvirt.org/
Description: keyboard-driven terminal UI for KVM/QEMU virtual machines over libvirt
 kvmtui lists, starts, edits and watches virtual machines on one or many
 libvirt hosts from a terminal: lifecycle actions, a new-VM wizard, a
 hardware editor, serial and graphical consoles, snapshots, clones,
 migration, storage pools, virtual networks and a performance view.
CONTROL

mkdir -p "$out"
deb="$out/kvmtui_${debver}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
