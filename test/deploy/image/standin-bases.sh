#!/usr/bin/env bash
# Makes local stand-ins for the Dockerfile's two base images, under their own tags, because no container
# registry can be pulled from here (test/deploy/image.test.ts then builds the Dockerfile with buildah):
#   BUILD_TAG    like node:<major>-<suite>-slim: a debootstrap'd Debian SUITE with node and npm in /usr/local
#   RUNTIME_TAG  like gcr.io/distroless/nodejs<major>-debian<n>:nonroot: only the files of the packages a
#                distroless image carries (libc, libstdc++, CA certificates, tzdata, ...), node at
#                /nodejs/bin/node as its entrypoint, user 65532 (nonroot); no shell, no package manager.
# Node is NODE_VERSION from the npm registry (.ci/node.sh), npm is the machine's version from the registry.
# Both images carry a label with a hash of this recipe: when it matches, they are kept (a later run costs
# nothing); otherwise they are made anew (about a minute, most of it debootstrap).
# Usage: standin-bases.sh SUITE BUILD_TAG RUNTIME_TAG   (env NODE_VERSION; root; buildah, debootstrap)
set -euo pipefail
suite="$1" build_tag="$2" runtime_tag="$3"
cd "$(dirname "$0")/../../.."
# vfs storage and chroot isolation: no overlay mounts or namespaces needed (the global flag: buildah 1.28
# ignores STORAGE_DRIVER in the environment).
buildah() { command buildah --storage-driver=vfs "$@"; }
export BUILDAH_ISOLATION=chroot
# shellcheck source=../../../.ci/node.sh
source .ci/node.sh
npm_version="$(npm --version)"
recipe="$({ cat "$0"; echo "$suite $build_tag $runtime_tag $NODE_VERSION $npm_version $(uname -m)"; } | sha256sum | cut -c1-16)"
label=org.huaweicloud-vault-exporter.standin

current() { [ "$(buildah inspect --type image --format "{{index .OCIv1.Config.Labels \"$label\"}}" "$1" 2>/dev/null)" = "$recipe" ]; }
if current "$build_tag" && current "$runtime_tag"; then
  echo "stand-in bases $build_tag and $runtime_tag are current ($recipe)"
  exit 0
fi

work="$(mktemp -d)"
containers=()
cleanup() {
  for c in "${containers[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

debootstrap --variant=minbase --include=ca-certificates,tzdata,netbase "$suite" "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }
(cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null && mkdir npm && tar -xzf npm-*.tgz -C npm)

# Commits under the tag and removes the stand-in it replaces (vfs keeps a full copy of every image).
commit() {
  local old
  old="$(buildah inspect --type image --format '{{.FromImageID}}' "$2" 2>/dev/null || true)"
  buildah commit --quiet "$1" "$2" >/dev/null
  if [ -n "$old" ]; then buildah rmi "$old" >/dev/null 2>&1 || true; fi
}

# Sets ctr to a new empty working container (removed on exit).
new_container() {
  ctr="$(buildah from scratch)"
  containers+=("$ctr")
}

# The build stage's base: Debian with a shell, node and npm, and the image's "node" user (1000).
new_container
root="$(buildah mount "$ctr")"
cp -a "$work/rootfs/." "$root/"
install -D -m 0755 "$node_home/bin/node" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$work/npm/package" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
# This machine's CA bundle, and node told to use it: the network here may reach the npm registry only
# through a proxy of its own CA (a real node image reaches it directly).
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
echo 'node:x:1000:1000::/home/node:/bin/sh' >>"$root/etc/passwd"
echo 'node:x:1000:' >>"$root/etc/group"
install -d -o 1000 -g 1000 "$root/home/node"
buildah umount "$ctr" >/dev/null
buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env "NODE_VERSION=$NODE_VERSION" \
  --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
  --cmd '["node"]' --label "$label=$recipe" "$ctr"
commit "$ctr" "$build_tag"

# The runtime stage's base: what a distroless nodejs image holds, copied file by file from the packages.
new_container
root="$(buildah mount "$ctr")"
for dir in bin lib lib64 sbin; do cp -a "$work/rootfs/$dir" "$root/"; done # merged /usr symlinks
for pkg in base-files netbase tzdata ca-certificates libc6 libgcc-s1 libstdc++6; do
  for list in "$work/rootfs/var/lib/dpkg/info/$pkg.list" "$work/rootfs/var/lib/dpkg/info/$pkg":*.list; do
    [ -f "$list" ] || continue
    while IFS= read -r path; do
      if [ -L "$work/rootfs$path" ] || [ -f "$work/rootfs$path" ]; then printf '%s\n' "${path#/}"; fi
    done <"$list"
  done
done | sort -u >"$work/runtime-files"
tar -C "$work/rootfs" --no-recursion -cf - -T "$work/runtime-files" | tar -C "$root" -xf -
rm -rf "$root/usr/bin" "$root/usr/sbin" && install -d "$root/usr/bin" "$root/usr/sbin" # tzdata and base-files bring a few scripts
cp -a "$work/rootfs/etc/ssl" "$root/etc/" # ca-certificates.crt is made at install, not shipped
cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
PASSWD
printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$root/etc/group"
install -d -m 1777 "$root/tmp"
install -d -m 0700 "$root/root"
install -d -o 65532 -g 65532 -m 0700 "$root/home/nonroot"
install -D -m 0755 "$node_home/bin/node" "$root/nodejs/bin/node"
buildah umount "$ctr" >/dev/null
buildah config --user 65532 --workingdir /home/nonroot --entrypoint '["/nodejs/bin/node"]' --cmd '' \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --label "$label=$recipe" "$ctr"
commit "$ctr" "$runtime_tag"
echo "stand-in bases $build_tag and $runtime_tag made ($recipe)"
