#!/usr/bin/env bash
# Builds the Spark Gateway vLLM simulator image WITHOUT any registry: a FROM scratch image holding
# this host's node binary and curl (each with every library ldd lists, and the dynamic loader), a
# /bin/sh (this host's), an empty /tmp, and the simulator at /opt/vllm-simulator with
# /usr/local/bin/vllm -> /opt/vllm-simulator/bin/vllm.
#
# It is tagged as every image of stack/vllm-images.yaml (`image: vLLM version`), the images the
# stack's compose files name, so they run the simulator unchanged — each tag with that image's vLLM
# version baked in (an `ENV VLLM_VERSION=...` layer), so the simulator imitates the vLLM inside it:
#   nvcr.io/nvidia/vllm:26.10-py3      VLLM_VERSION=0.31.0, no ENTRYPOINT (command `vllm serve MODEL ...`)
#   vllm/vllm-openai:v0.31.0           VLLM_VERSION=0.31.0, ENTRYPOINT ["vllm", "serve"] (command `MODEL ...`)
#   spark-gateway/vllm-simulator:0.1.0 no entrypoint, the simulator's default version
# An image named .../vllm-openai gets vLLM's entrypoint; every other image (NVIDIA's) none.
# THESE TAGS THEN POINT AT A TEST DOUBLE, NOT AT vLLM (the image's description label says so).
# Remove them (docker rmi) before pulling the real images on a GPU machine.
#
# Usage: simulator/build-image.sh [--images FILE] [--tag TAG] [--no-shell]
#   --images FILE  the image -> version list (default: ../stack/vllm-images.yaml, the bundled stack's)
#   --tag TAG      the plain simulator tag (default spark-gateway/vllm-simulator:<package version>)
# Environment (same meaning, flags win): SIM_IMAGES_FILE, SIM_IMAGE_TAG.
# Idempotent: running it again rebuilds (from Docker's cache) and re-tags.
# The healthcheck lives in the compose files, not in the image.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "${script_dir}/package.json" | head -n 1)"

images_file="${SIM_IMAGES_FILE:-${script_dir}/../stack/vllm-images.yaml}"
sim_tag="${SIM_IMAGE_TAG:-spark-gateway/vllm-simulator:${version}}"
with_shell=1

usage() {
  sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --images) images_file="${2:?--images needs a file}"; shift 2 ;;
    --tag) sim_tag="${2:?--tag needs a value}"; shift 2 ;;
    --no-shell) with_shell=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build-image.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "build-image.sh: $*" >&2; exit 1; }

# `image: version` lines of the images file (comments and blank lines skipped).
[[ -r "${images_file}" ]] || die "cannot read the image list ${images_file} (--images FILE)"
images=()
versions=()
line_no=0
while IFS= read -r line || [[ -n "${line}" ]]; do
  line_no=$((line_no + 1))
  line="${line%%#*}"
  [[ "${line}" =~ ^[[:space:]]*$ ]] && continue
  if [[ "${line}" =~ ^([^[:space:]]+):[[:space:]]+([0-9]+\.[0-9]+\.[0-9]+)[[:space:]]*$ ]]; then
    images+=("${BASH_REMATCH[1]}")
    versions+=("${BASH_REMATCH[2]}")
  else
    die "${images_file}:${line_no}: expected 'IMAGE: X.Y.Z' (the vLLM version inside the image), got: ${line}"
  fi
done < "${images_file}"
[[ ${#images[@]} -gt 0 ]] || die "${images_file} lists no image"

command -v docker >/dev/null || die "docker is not installed"
docker info >/dev/null 2>&1 || die "the Docker daemon is not reachable (docker info failed)"
node_bin="$(command -v node)" || die "node is not on PATH"
curl_bin="$(command -v curl)" || die "curl is not on PATH"
node_bin="$(readlink -f "${node_bin}")"
curl_bin="$(readlink -f "${curl_bin}")"

work="$(mktemp -d -t vllm-simulator-image.XXXXXX)"
trap 'rm -rf "${work}"' EXIT
context="${work}/context"
build_log="${work}/build.log"
rootfs="${context}/rootfs"
mkdir -p "${rootfs}/usr/bin" "${rootfs}/usr/local/bin" "${rootfs}/bin" "${rootfs}/opt" "${rootfs}/tmp" "${rootfs}/etc"
chmod 1777 "${rootfs}/tmp"

# Copies a file to the same absolute path inside the image, following symlinks.
copy_into_image() {
  local source="$1" target="$2"
  mkdir -p "${rootfs}$(dirname "${target}")"
  cp -L "${source}" "${rootfs}${target}"
}

# Copies every library ldd lists for a binary, and the dynamic loader, at the paths the binary
# asks for (the loader's path is compiled into the binary).
copy_libraries() {
  local binary="$1" line path
  while IFS= read -r line; do
    path=""
    if [[ "${line}" =~ =\>\ (/[^ ]+) ]]; then
      path="${BASH_REMATCH[1]}"
    elif [[ "${line}" =~ ^[[:space:]]*(/[^ ]+) ]]; then
      path="${BASH_REMATCH[1]}"
    fi
    if [[ -n "${path}" ]]; then
      copy_into_image "${path}" "${path}"
    fi
  done < <(ldd "${binary}")
}

# node at /usr/bin/node: bin/vllm's shebang names it (a scratch image has no /usr/bin/env).
copy_into_image "${node_bin}" /usr/bin/node
copy_libraries "${node_bin}"
copy_into_image "${curl_bin}" /usr/bin/curl
copy_libraries "${curl_bin}"
if [[ "${with_shell}" -eq 1 ]]; then
  # Real vLLM images have a shell; compose healthchecks written as CMD-SHELL need one.
  sh_bin="$(readlink -f /bin/sh)"
  copy_into_image "${sh_bin}" /bin/sh
  copy_libraries "${sh_bin}"
fi
# Minimal name-service files so `curl http://localhost:...` and user lookups behave.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "${rootfs}/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "${rootfs}/etc/group"
printf 'hosts: files dns\n' > "${rootfs}/etc/nsswitch.conf"

mkdir -p "${rootfs}/opt/vllm-simulator"
cp -R "${script_dir}/bin" "${script_dir}/lib" "${script_dir}/package.json" "${script_dir}/README.md" \
  "${rootfs}/opt/vllm-simulator/"
chmod 0755 "${rootfs}/opt/vllm-simulator/bin/vllm"
ln -s /opt/vllm-simulator/bin/vllm "${rootfs}/usr/local/bin/vllm"

description="Spark Gateway vLLM simulator (test double, no GPU)"
cat > "${context}/Dockerfile" <<EOF
FROM scratch AS nvcr
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin \\
    HOME=/root \\
    SIM_WRITES_HF_CACHE=1
WORKDIR /tmp
LABEL org.opencontainers.image.title="vllm-simulator" \\
      org.opencontainers.image.version="${version}" \\
      org.opencontainers.image.description="${description}" \\
      org.opencontainers.image.vendor="Spark Gateway"
EXPOSE 8000

FROM nvcr AS openai
ENTRYPOINT ["vllm", "serve"]
EOF

# Debian's docker.io has no buildx plugin: use the classic builder then.
build_env=()
if ! docker buildx version >/dev/null 2>&1; then
  build_env=(env DOCKER_BUILDKIT=0)
fi

# Runs docker build quietly; its output (including the classic builder's deprecation notice) is
# shown only when the build fails.
build() {
  if ! "${build_env[@]}" docker build "$@" "${context}" >"${build_log}" 2>&1; then
    cat "${build_log}" >&2
    die "docker build $* failed"
  fi
}

echo "build-image.sh: building ${sim_tag} (node: ${node_bin}, curl: ${curl_bin})"
build --target nvcr --tag "${sim_tag}"

# One tag per listed image, on top of the base: its entrypoint form and its vLLM version.
for i in "${!images[@]}"; do
  image="${images[$i]}"
  vllm_version="${versions[$i]}"
  target=nvcr
  if [[ "${image%%:*}" == */vllm-openai || "${image%%:*}" == vllm-openai ]]; then target=openai; fi
  {
    sed -n '1,/^ENTRYPOINT/p' "${context}/Dockerfile"
    printf '\nFROM %s AS tagged\nENV VLLM_VERSION=%s\n' "${target}" "${vllm_version}"
  } > "${context}/tagged.Dockerfile"
  echo "build-image.sh: tagging ${image} (VLLM_VERSION=${vllm_version}, ${target} form)"
  build --file "${context}/tagged.Dockerfile" --target tagged --tag "${image}"
  # Smoke check: the binary runs inside the image and imitates the listed version.
  reported="$(docker run --rm --entrypoint vllm "${image}" --version)"
  [[ "${reported}" == "${vllm_version}" ]] || die "${image}: 'vllm --version' in the image prints ${reported}, expected ${vllm_version}"
done
echo "build-image.sh: done (these tags run the simulator, a test double):"
for i in "${!images[@]}"; do
  echo "  ${images[$i]}  (imitates vLLM ${versions[$i]})"
done
echo "  ${sim_tag}"
