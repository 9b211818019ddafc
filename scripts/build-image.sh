#!/usr/bin/env bash
# Builds Berth's server image — berth-apiserver (the entrypoint) and berth-controller — from local files with
# `docker import`, for machines that cannot pull a base image (deploy/Dockerfile is the same image built the usual
# way). The image holds: the .NET and ASP.NET Core shared runtimes of this machine's SDK in /usr/share/dotnet, the
# framework-dependent publish of both executables in /app, the shared libraries those load (copied from this
# machine, found with ldd), and a non-root user 65532 "app". No shell, no package manager.
# Usage: scripts/build-image.sh [TAG]      (default berth:dev; prints the tag)
#        BERTH_IMAGE_NO_BUILD=1 publishes the Release build already there (dotnet publish --no-build; the tests use it).
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-berth:dev}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs/app" "$rootfs/tmp" "$rootfs/etc" "$rootfs/home/app" "$rootfs/usr/share/dotnet/shared" "$rootfs/usr/share/dotnet/host"
chmod 1777 "$rootfs/tmp"

for project in Berth.ApiServer Berth.Controller; do
  dotnet publish "src/$project" -c Release --nologo -v quiet -o "$rootfs/app" ${BERTH_IMAGE_NO_BUILD:+--no-build} >&2
done

# The shared runtimes the apps were built for (the SDK's own), and the host that starts them.
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
runtime="$(dotnet --list-runtimes | awk '$1=="Microsoft.NETCore.App"{v=$2} END{print v}')"
aspnet="$(dotnet --list-runtimes | awk '$1=="Microsoft.AspNetCore.App"{v=$2} END{print v}')"
cp "$dotnet_root/dotnet" "$rootfs/usr/share/dotnet/"
cp -r "$dotnet_root/host/fxr" "$rootfs/usr/share/dotnet/host/"
mkdir -p "$rootfs/usr/share/dotnet/shared/Microsoft.NETCore.App" "$rootfs/usr/share/dotnet/shared/Microsoft.AspNetCore.App"
cp -r "$dotnet_root/shared/Microsoft.NETCore.App/$runtime" "$rootfs/usr/share/dotnet/shared/Microsoft.NETCore.App/"
cp -r "$dotnet_root/shared/Microsoft.AspNetCore.App/$aspnet" "$rootfs/usr/share/dotnet/shared/Microsoft.AspNetCore.App/"
# The debugger and tracing shims are not needed and pull in more libraries.
rm -f "$rootfs"/usr/share/dotnet/shared/Microsoft.NETCore.App/*/{libmscordbi.so,libmscordaccore.so,libcoreclrtraceptprovider.so,createdump}

# Every library the host, the runtime and the apps' native parts load, plus OpenSSL, which the runtime opens by name.
libraries() {
  # ldd fails on the files that are not ELF (managed assemblies marked executable): their lines are just absent.
  { find "$rootfs" -type f \( -name '*.so' -o -name 'dotnet' -o -perm -u+x \) -print0 | xargs -0 ldd 2>/dev/null || true; } \
    | awk '/=>/ && $3 ~ /^\// {print $3} /^\t\/lib/ {print $1}'
  for name in libssl.so.3 libcrypto.so.3; do
    /sbin/ldconfig -p | awk -v n="$name" '$1==n && /x86-64/ && !found {print $NF; found=1}'
  done
}
libraries | sort -u | while read -r lib; do
  cp -L --parents "$lib" "$rootfs/"
done
ls "$rootfs"/lib64/ld-linux-x86-64.so.2 > /dev/null

printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:65532:65532:app:/home/app:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\napp:x:65532:\n' > "$rootfs/etc/group"
chown 65532:65532 "$rootfs/home/app"

tar -C "$rootfs" -c . | docker import \
  --change 'USER 65532:65532' \
  --change 'WORKDIR /app' \
  --change 'ENV DOTNET_ROOT=/usr/share/dotnet' \
  --change 'ENV DOTNET_EnableDiagnostics=0' \
  --change 'ENV HOME=/home/app' \
  --change 'ENTRYPOINT ["/app/berth-apiserver"]' \
  - "$tag" > /dev/null
echo "$tag"
