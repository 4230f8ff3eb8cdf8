# Sourced by scripts/test.sh (under `set -euo pipefail`): make a Docker engine and the fixloop test
# image available, then export FIXLOOP_TEST_IMAGE (and FIXLOOP_TEST_DOCKER_TCP, the engine's
# loopback TCP endpoint used by the DOCKER_HOST test). No registry is needed: the image is a
# Debian root file system made with debootstrap from the apt mirror this machine already uses.
# Every step is cached: a running engine is reused, the image is built once per machine, and the
# root file system tarball is kept in /var/cache/fixloop. This file is sourced: never `exit`.

# The Debian mirror apt already uses on this machine: the first URI of a deb822 source (`URIs:`
# in sources.list.d) or of a one-line `deb [options] URI suite ...` entry, skipping the security
# archive. The test image is built from it, so this script names no mirror host itself.
fixloop_apt_mirror() {
  {
    grep -hs '^URIs:' /etc/apt/sources.list.d/* | awk '{for (i = 2; i <= NF; i++) print $i}'
    grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
      | sed 's/\[[^]]*\]//' | awk '{print $2}'
  } | grep -v -- '-security' | head -1 || true
}

fixloop_docker_main() {
  local image="fixloop-test-python:bookworm"
  local cache_dir="/var/cache/fixloop"
  local tarball="$cache_dir/rootfs-bookworm-python.tar"
  local tcp="tcp://127.0.0.1:2375"

  if [ "${FIXLOOP_SKIP_DOCKER:-}" = "1" ]; then
    echo "install-docker: FIXLOOP_SKIP_DOCKER=1, not starting Docker" >&2
    return 0
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    echo "install-docker: installing docker.io" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  if ! docker info >/dev/null 2>&1; then
    echo "install-docker: starting dockerd (unix socket and $tcp)" >&2
    setsid dockerd -H unix:///var/run/docker.sock -H "$tcp" >/tmp/dockerd.log 2>&1 < /dev/null &
    local waited=0
    until docker info >/dev/null 2>&1; do
      sleep 1
      waited=$((waited + 1))
      if [ "$waited" -ge 60 ]; then
        echo "install-docker: dockerd did not come up in 60 s; see /tmp/dockerd.log" >&2
        tail -20 /tmp/dockerd.log >&2 || true
        return 1
      fi
    done
  fi

  if ! docker image inspect "$image" >/dev/null 2>&1; then
    if [ ! -s "$tarball" ]; then
      command -v debootstrap >/dev/null 2>&1 || {
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
      }
      local mirror
      mirror="$(fixloop_apt_mirror)"
      if [ -z "$mirror" ]; then
        echo "install-docker: no Debian mirror found in the apt sources (/etc/apt/sources.list and sources.list.d); cannot build the test image" >&2
        return 1
      fi
      local rootfs
      rootfs="$(mktemp -d /tmp/fixloop-rootfs.XXXXXX)"
      echo "install-docker: building the test image root file system from $mirror (about a minute)" >&2
      debootstrap --variant=minbase --include=python3,python-is-python3,python3-pytest \
        bookworm "$rootfs" "$mirror" >/tmp/fixloop-debootstrap.log 2>&1 || {
        echo "install-docker: debootstrap failed; see /tmp/fixloop-debootstrap.log" >&2
        rm -rf "$rootfs"
        return 1
      }
      # Drop apt's package cache: it is only size in the image.
      rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
      mkdir -p "$cache_dir"
      tar -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
      rm -rf "$rootfs"
    fi
    echo "install-docker: importing $image" >&2
    docker import --change 'CMD ["python3"]' "$tarball" "$image" >/dev/null
  fi
  export FIXLOOP_TEST_IMAGE="$image"
  if DOCKER_HOST="$tcp" docker info >/dev/null 2>&1; then
    export FIXLOOP_TEST_DOCKER_TCP="$tcp"
  fi
  echo "install-docker: ready: FIXLOOP_TEST_IMAGE=$image${FIXLOOP_TEST_DOCKER_TCP:+ FIXLOOP_TEST_DOCKER_TCP=$FIXLOOP_TEST_DOCKER_TCP}" >&2
}

fixloop_docker_main
