#!/usr/bin/env bash
# End-to-end scenarios of `berth stack` on a real Kubernetes cluster (kind by default), with kubectl as the checker.
# Not run in CI here (no cluster can run on the CI machines); see README.md in this folder.
#
#   tests/e2e-kind/run.sh                       # creates kind cluster "berth-e2e", runs everything, deletes it
#   KEEP_CLUSTER=1 tests/e2e-kind/run.sh        # keeps the kind cluster for a rerun
#   USE_CURRENT_CONTEXT=1 tests/e2e-kind/run.sh # uses kubectl's current context (kind, k3d, ...) instead
#
# Every scenario prints PASS: or FAIL:; the exit code is the number of failures (0 = all passed).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cluster="${CLUSTER_NAME:-berth-e2e}"
stack="${STACK_NAME:-e2e}"
namespace="${NAMESPACE:-berth-e2e-$$}"
image="${E2E_IMAGE:-busybox:1.36}"
timeout="${DEPLOY_TIMEOUT:-3m}"
work="$(mktemp -d)"
failures=0
created_cluster=0

log() { printf '\n== %s\n' "$*"; }
pass() { printf 'PASS: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local code=$?
  kubectl --context "$context" delete namespace "$namespace" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  if [ "$created_cluster" = 1 ] && [ "${KEEP_CLUSTER:-0}" != 1 ]; then
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$code"
}

need() { command -v "$1" >/dev/null 2>&1 || { echo "run.sh: $1 is required ($2)" >&2; exit 2; }; }
need kubectl "https://kubernetes.io/docs/tasks/tools/"
need dotnet "the .NET 10 SDK builds berth"

# --- cluster -------------------------------------------------------------------------------------------------------
if [ "${USE_CURRENT_CONTEXT:-0}" = 1 ]; then
  context="$(kubectl config current-context)"
  echo "using the current context: $context (namespace $namespace is created and deleted)"
else
  need kind "https://kind.sigs.k8s.io/"
  need docker "kind runs the cluster in docker"
  context="kind-$cluster"
  if ! kind get clusters 2>/dev/null | grep -qx "$cluster"; then
    kind create cluster --name "$cluster" --wait 120s
    created_cluster=1
  fi
  # Load the test image so pods start without a registry round trip (and work offline once pulled here).
  docker image inspect "$image" >/dev/null 2>&1 || docker pull "$image"
  kind load docker-image "$image" --name "$cluster"
fi
trap cleanup EXIT
kubectl --context "$context" create namespace "$namespace" >/dev/null

# --- berth ---------------------------------------------------------------------------------------------------------
"$root/scripts/berth.sh" --help >/dev/null # builds the Native AOT binary once
berth_bin="$root/artifacts/berth/berth"
export BERTH_ORCHESTRATOR=kubernetes

# berth VERB ARGS...: runs berth against the test namespace; sets $code, $out, $err (never exits the script).
berth() {
  local verb="$1"
  shift
  set +e
  "$berth_bin" stack "$verb" --context "$context" --namespace "$namespace" "$@" >"$work/out" 2>"$work/err"
  code=$?
  set -e
  out="$(cat "$work/out")"
  err="$(cat "$work/err")"
}

k() { kubectl --context "$context" --namespace "$namespace" "$@"; }

# Kind/name=resourceVersion of every object carrying the stack's label, sorted: equal snapshots = nothing changed.
snapshot() {
  k get secrets,configmaps,persistentvolumeclaims,services,deployments,statefulsets,daemonsets,jobs \
    -l "com.docker.stack.namespace=$stack" \
    -o jsonpath='{range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}' | sort
}

compose() { # compose FILE: writes a Compose file from stdin into the work folder
  cat >"$work/$1"
}

compose v1.yaml <<YAML
services:
  web:
    image: $image
    command: ["sh", "-c", "mkdir -p /www && echo v1 > /www/index.html && httpd -f -p 8080 -h /www"]
    ports: ["8080:8080"]
    deploy: {replicas: 2}
    environment: {GREETING: hello}
    volumes: [shared:/data]
    secrets: [token]
  worker:
    image: $image
    command: ["sh", "-c", "while true; do sleep 5; done"]
  keeper:
    image: $image
    command: ["sh", "-c", "while true; do sleep 5; done"]
    # A volume two services mount is one PVC (a volume of one service would make it a StatefulSet).
    volumes: [shared:/data]
volumes:
  shared: {}
secrets:
  token:
    file: ./token.txt
YAML
printf 's3cret\n' >"$work/token.txt"
sed 's/GREETING: hello/GREETING: changed/' "$work/v1.yaml" >"$work/v2.yaml"
# v3: worker removed (prune).
awk '/^  worker:/{skip=1; next} skip && /^  [a-z]/{skip=0} skip && /^[a-z]/{skip=0} !skip' "$work/v2.yaml" >"$work/v3.yaml"
# v4: a new service whose Service name is already taken by an object the stack does not own.
sed 's/^services:/services:\n  intruder:\n    image: '"${image//\//\\/}"'\n    command: ["sh", "-c", "httpd -f -p 80"]\n    ports: ["8081:80"]/' "$work/v3.yaml" >"$work/v4.yaml"
# v5: web with an image that cannot be pulled.
sed "0,/image: ${image//\//\\/}/s//image: berth-e2e.invalid\/does-not-exist:1/" "$work/v3.yaml" >"$work/v5.yaml"
# v6: v3 plus several services, so a kill lands in the middle of the writes.
cp "$work/v3.yaml" "$work/v6.yaml"
for i in 1 2 3 4 5 6; do
  sed -i "s/^services:/services:\n  extra$i:\n    image: ${image//\//\\/}\n    command: [\"sh\", \"-c\", \"while true; do sleep 5; done\"]/" "$work/v6.yaml"
done

# --- 1. first deploy and wait --------------------------------------------------------------------------------------
log "first deploy (waits for the rollout)"
berth deploy -c "$work/v1.yaml" --timeout "$timeout" "$stack"
if [ "$code" = 0 ] && [ "$(k get deployment web -o jsonpath='{.status.readyReplicas}')" = 2 ] \
  && grep -q "Deploying stack $stack to namespace $namespace" <<<"$out"; then
  pass "first deploy: exit 0, web 2/2 ready"
else
  fail "first deploy: exit $code; stdout: $out; stderr: $err"
fi
managed="$(k get deployment web -o jsonpath='{.metadata.managedFields[*].manager}')"
if [[ " $managed " == *" berth "* ]]; then pass "server-side apply with field manager berth"; else fail "field managers of web: $managed"; fi

berth ls --format json
if grep -q "\"Name\":\"$stack\"" <<<"$out"; then pass "stack ls lists $stack"; else fail "stack ls: $out $err"; fi
berth services "$stack"
if grep -Eq '^[0-9a-f-]+ +web +replicated +2/2' <<<"$out"; then pass "stack services: web replicated 2/2"; else fail "stack services: $out $err"; fi
berth ps "$stack" --format json
if [ "$(grep -o '"Restarts"' <<<"$out" | wc -l)" -ge 3 ]; then pass "stack ps: pods with restarts"; else fail "stack ps: $out $err"; fi

# --- 2. unchanged redeploy -----------------------------------------------------------------------------------------
log "unchanged redeploy"
before="$(snapshot)"
berth diff -c "$work/v1.yaml" --exit-code "$stack"
if [ "$code" = 0 ]; then pass "diff --exit-code is 0 for the deployed file"; else fail "diff --exit-code: exit $code; $out $err"; fi
berth deploy -c "$work/v1.yaml" --timeout "$timeout" "$stack"
after="$(snapshot)"
if [ "$code" = 0 ] && grep -q "is up to date" <<<"$out" && [ "$before" = "$after" ]; then
  pass "unchanged redeploy: up to date, no resourceVersion changed"
else
  fail "unchanged redeploy: exit $code; $out; changed: $(diff <(echo "$before") <(echo "$after") || true)"
fi

# --- 3. changed redeploy -------------------------------------------------------------------------------------------
log "changed redeploy"
generation="$(k get deployment web -o jsonpath='{.metadata.generation}')"
worker_rv="$(k get deployment worker -o jsonpath='{.metadata.resourceVersion}')"
berth diff -c "$work/v2.yaml" --exit-code "$stack"
if [ "$code" = 1 ] && grep -q "update Deployment web" <<<"$out"; then pass "diff shows the web update"; else fail "diff v2: exit $code; $out $err"; fi
berth deploy -c "$work/v2.yaml" --timeout "$timeout" "$stack"
if [ "$code" = 0 ] && [ "$(k get deployment web -o jsonpath='{.metadata.generation}')" -gt "$generation" ] \
  && [ "$(k get deployment worker -o jsonpath='{.metadata.resourceVersion}')" = "$worker_rv" ] \
  && k get deployment web -o jsonpath='{.spec.template.spec.containers[0].env}' | grep -q changed; then
  pass "changed redeploy: web rolled out, worker untouched"
else
  fail "changed redeploy: exit $code; $out $err"
fi

# --- 4. prune ------------------------------------------------------------------------------------------------------
log "prune"
berth deploy -c "$work/v3.yaml" --timeout "$timeout" "$stack"
if [ "$code" = 0 ] && ! k get deployment worker >/dev/null 2>&1 && k get deployment web >/dev/null 2>&1; then
  pass "prune: worker deleted, web kept"
else
  fail "prune: exit $code; $out $err"
fi

# --- 5. collision --------------------------------------------------------------------------------------------------
log "collision"
k create service clusterip intruder --tcp=80:80 >/dev/null
before="$(snapshot)"
berth deploy -c "$work/v4.yaml" --timeout "$timeout" "$stack"
after="$(snapshot)"
if [ "$code" = 3 ] && grep -q "Service intruder exists and is not part of stack $stack" <<<"$err" \
  && grep -q "nothing was changed" <<<"$err" && [ "$before" = "$after" ] && ! k get deployment intruder >/dev/null 2>&1 \
  && [ -z "$(k get service intruder -o jsonpath='{.metadata.labels.com\.docker\.stack\.namespace}')" ]; then
  pass "collision: exit 3, reported, nothing changed, the foreign Service untouched"
else
  fail "collision: exit $code; $out $err"
fi
k delete service intruder >/dev/null

# --- 6. failure while waiting --------------------------------------------------------------------------------------
log "failure while waiting (image cannot be pulled)"
berth deploy -c "$work/v5.yaml" --timeout "$timeout" "$stack"
if [ "$code" = 3 ] && grep -Eq "ImagePullBackOff|ErrImagePull" <<<"$err"; then
  pass "bad image: exit 3 with ImagePullBackOff"
else
  fail "bad image: exit $code; $out $err"
fi
berth deploy -c "$work/v3.yaml" --timeout "$timeout" "$stack"
if [ "$code" = 0 ]; then pass "redeploying the good file recovers"; else fail "recovery: exit $code; $out $err"; fi

# --- 7. interrupted deploy then rerun ------------------------------------------------------------------------------
log "interrupted deploy (kill -9 during the writes) then rerun"
"$berth_bin" stack deploy --context "$context" --namespace "$namespace" -c "$work/v6.yaml" --detach "$stack" >"$work/killed.out" 2>&1 &
pid=$!
for _ in $(seq 1 200); do # kill as soon as the first new object exists, i.e. mid-deploy
  k get deployment extra1 >/dev/null 2>&1 && break
  sleep 0.05
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
berth deploy -c "$work/v6.yaml" --timeout "$timeout" "$stack"
rerun_code=$code
berth diff -c "$work/v6.yaml" --exit-code "$stack"
deployments="$(k get deployments -l "com.docker.stack.namespace=$stack" -o name | sort)"
expected="$(printf 'deployment.apps/extra%s\n' 1 2 3 4 5 6; echo deployment.apps/keeper; echo deployment.apps/web)"
if [ "$rerun_code" = 0 ] && [ "$code" = 0 ] && [ "$deployments" = "$(sort <<<"$expected")" ]; then
  pass "interrupted deploy: the rerun converged, diff is empty, no duplicates"
else
  fail "interrupted deploy: rerun exit $rerun_code, diff exit $code; deployments: $deployments"
fi

# --- 9. changes a server will not make in place (issue 15) ---------------------------------------------------------
log "replacements: StatefulSet claim size, headless <-> ClusterIP Service, workload kind change"
rstack="${stack}-replace"
rsnapshot() {
  k get secrets,configmaps,persistentvolumeclaims,services,deployments,statefulsets,daemonsets,jobs \
    -l "com.docker.stack.namespace=$rstack" \
    -o jsonpath='{range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}' | sort
}
for size in 1Gi 5Gi; do
  compose "db-$size.yaml" <<YAML
services:
  db:
    image: $image
    command: ["sleep", "3600"]
    volumes: ["data:/data"]
volumes:
  data:
    x-kubernetes: {size: $size}
YAML
done
berth deploy -c "$work/db-1Gi.yaml" --timeout "$timeout" "$rstack"
[ "$code" = 0 ] || fail "replace: first deploy exit $code; $out $err"
claim_uid="$(k get pvc data-db-0 -o jsonpath='{.metadata.uid}' 2>/dev/null || true)"
before="$(rsnapshot)"
berth diff -c "$work/db-5Gi.yaml" "$rstack"
diff_out="$out"
berth deploy -c "$work/db-5Gi.yaml" --timeout "$timeout" "$rstack"
if [ "$code" = 1 ] && grep -q -- "-/+ replace StatefulSet db" <<<"$diff_out" && grep -q "data-db-0" <<<"$err" \
  && grep -q "nothing was changed" <<<"$err" && [ "$before" = "$(rsnapshot)" ]; then
  pass "claim template size change: diff shows a replacement, deploy exit 1, names data-db-0, nothing changed"
else
  fail "claim template size change: exit $code; $diff_out $out $err"
fi
berth deploy -c "$work/db-5Gi.yaml" --recreate --timeout "$timeout" "$rstack"
if [ "$code" = 0 ] && [ "$(k get statefulset db -o jsonpath='{.spec.volumeClaimTemplates[0].spec.resources.requests.storage}')" = 5Gi ] \
  && [ -n "$claim_uid" ] && [ "$(k get pvc data-db-0 -o jsonpath='{.metadata.uid}')" = "$claim_uid" ] \
  && [ "$(k get pod db-0 -o jsonpath='{.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName}')" = data-db-0 ]; then
  pass "--recreate: StatefulSet recreated with the new template, claim data-db-0 kept (same uid) and re-attached"
else
  fail "--recreate: exit $code; claim uid before $claim_uid; $out $err"
fi

for ports in yes no; do
  {
    printf 'services:\n  worker:\n    image: %s\n    command: ["sleep", "3600"]\n' "$image"
    [ "$ports" = yes ] && printf '    expose: ["9000"]\n'
    true
  } >"$work/worker-$ports.yaml"
done
berth deploy -c "$work/worker-yes.yaml" --timeout "$timeout" "$rstack"
berth deploy -c "$work/worker-no.yaml" --timeout "$timeout" "$rstack"
if [ "$code" = 0 ] && grep -q "Replacing Service worker: spec.clusterIP" <<<"$out" && [ "$(k get service worker -o jsonpath='{.spec.clusterIP}')" = None ]; then
  pass "ClusterIP -> headless: the Service is replaced, exit 0"
else
  fail "ClusterIP -> headless: exit $code; $out $err"
fi
berth deploy -c "$work/worker-yes.yaml" --timeout "$timeout" "$rstack"
if [ "$code" = 0 ] && [ "$(k get service worker -o jsonpath='{.spec.clusterIP}')" != None ]; then
  pass "headless -> ClusterIP: the Service is replaced, exit 0"
else
  fail "headless -> ClusterIP: exit $code; $out $err"
fi

compose shared.yaml <<YAML
services:
  api:
    image: $image
    command: ["sleep", "3600"]
    volumes: ["shared:/data"]
  helper:
    image: $image
    command: ["sleep", "3600"]
    volumes: ["shared:/work"]
volumes:
  shared:
YAML
# api alone on the volume (helper dropped) becomes a StatefulSet with its own claim template.
compose alone.yaml <<YAML
services:
  api:
    image: $image
    command: ["sleep", "3600"]
    volumes: ["shared:/data"]
volumes:
  shared:
YAML
berth deploy -c "$work/shared.yaml" --timeout "$timeout" "$rstack"
before="$(rsnapshot)"
berth deploy -c "$work/alone.yaml" --timeout "$timeout" "$rstack"
if [ "$code" = 1 ] && grep -q "StatefulSet api would replace Deployment api" <<<"$err" && grep -q "shared-api-0" <<<"$err" \
  && [ "$before" = "$(rsnapshot)" ] && k get deployment api >/dev/null 2>&1; then
  pass "kind change detaching a claim: exit 1, both claims named, nothing changed"
else
  fail "kind change: exit $code; $out $err"
fi
berth rm --volumes "$rstack"

# --- 8. rm ---------------------------------------------------------------------------------------------------------
log "rm (claims kept), then rm --volumes"
berth rm "$stack"
left="$(k get deployments,services,secrets,configmaps -l "com.docker.stack.namespace=$stack" -o name)"
claims="$(k get persistentvolumeclaims -l "com.docker.stack.namespace=$stack" -o name)"
if [ "$code" = 0 ] && [ -z "$left" ] && [ -n "$claims" ] && grep -q -- "--volumes" <<<"$out"; then
  pass "rm: objects deleted, claims kept with a hint"
else
  fail "rm: exit $code; left: $left; claims: $claims; $out $err"
fi
berth rm --volumes "$stack"
claims="$(k get persistentvolumeclaims -l "com.docker.stack.namespace=$stack" -o name)"
if [ "$code" = 0 ] && [ -z "$claims" ]; then pass "rm --volumes: claims deleted"; else fail "rm --volumes: exit $code; claims: $claims; $out $err"; fi
berth rm "$stack"
if [ "$code" = 0 ] && grep -q "Nothing found in stack: $stack" <<<"$err"; then pass "rm of a removed stack: nothing found, exit 0"; else fail "rm again: exit $code; $err"; fi

# shellcheck source=tests/e2e-kind/install.sh
. "$root/tests/e2e-kind/install.sh"

printf '\n%s\n' "$([ "$failures" = 0 ] && echo "ALL PASSED" || echo "$failures FAILED")"
exit "$failures"
