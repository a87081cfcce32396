# Sourced by .ci/run: puts the Node.js that .node-version pins (NODE_VERSION overrides it, e.g. to try 22)
# first on PATH. The binary comes from the npm registry package node-linux-<arch>, unpacked once into a
# cache that later runs on the same machine reuse. npm itself is the machine's, run by this node.
NODE_VERSION="${NODE_VERSION:-$(tr -d ' \n' < .node-version)}"
case "$(uname -m)" in
  x86_64) node_arch=x64 ;;
  aarch64 | arm64) node_arch=arm64 ;;
  *) echo "no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
node_home="${XDG_CACHE_HOME:-$HOME/.cache}/huaweicloud-vault-exporter/node-$NODE_VERSION-linux-$node_arch"
if [ ! -x "$node_home/bin/node" ]; then
  node_tmp="$(mktemp -d)"
  (cd "$node_tmp" && npm pack --silent "node-linux-$node_arch@$NODE_VERSION" >/dev/null)
  mkdir -p "$node_tmp/unpacked"
  tar -xzf "$node_tmp"/node-linux-*.tgz -C "$node_tmp/unpacked"
  mkdir -p "$(dirname "$node_home")"
  rm -rf "$node_home"
  mv "$node_tmp/unpacked/package" "$node_home"
  rm -rf "$node_tmp"
fi
export PATH="$node_home/bin:$PATH"
if [ "$(node --version)" != "v$NODE_VERSION" ]; then
  echo "expected node v$NODE_VERSION first on PATH, got $(node --version)" >&2
  exit 1
fi
