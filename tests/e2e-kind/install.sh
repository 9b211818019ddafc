# shellcheck shell=bash
# Scenarios 10 and 11 of run.sh (sourced by it after the `berth stack` scenarios; uses its $root, $context,
# $namespace, $image, $timeout, $work, $berth_bin, pass, fail, log): `berth system install` in each mode, a stack
# deployed through it, waited for until Available, removed, and `berth system uninstall --all`.
# Cluster-wide objects are installed (APIServices or the CRD, ClusterRoles, namespace berth-system): skip with
# SKIP_INSTALL=1 on a shared cluster. The two modes serve the same group, so each is uninstalled before the next.
#
#   BERTH_IMAGE   the server/controller image (default berth:e2e). kind: built by scripts/build-image.sh and
#                 loaded with `kind load docker-image`; USE_CURRENT_CONTEXT=1: it must already be pullable there.
#   DOCKER_CLI    a docker CLI 20.10 (the last with --orchestrator=kubernetes; default: docker). Scenario 10's
#                 docker steps are skipped, with a note, when it is another version.

if [ "${SKIP_INSTALL:-0}" = 1 ]; then
  log "system install: skipped (SKIP_INSTALL=1)"
  return 0
fi

berth_image="${BERTH_IMAGE:-berth:e2e}"
docker_cli="${DOCKER_CLI:-docker}"
install_timeout="${INSTALL_TIMEOUT:-5m}"

if [ "${USE_CURRENT_CONTEXT:-0}" != 1 ]; then
  "$root/scripts/build-image.sh" "$berth_image" >/dev/null
  kind load docker-image "$berth_image" --name "$cluster"
fi

# berth_system VERB ARGS...: berth system against the test context; sets $code, $out, $err.
berth_system() {
  local verb="$1"
  shift
  set +e
  "$berth_bin" system "$verb" --context "$context" "$@" >"$work/out" 2>"$work/err"
  code=$?
  set -e
  out="$(cat "$work/out")"
  err="$(cat "$work/err")"
}

ks() { kubectl --context "$context" --namespace berth-system "$@"; }

# wait_rollouts: both Deployments of the install rolled out (their readiness probes passed).
wait_rollouts() {
  ks rollout status deployment/berth-apiserver --timeout "$install_timeout" >/dev/null 2>&1 \
    && ks rollout status deployment/berth-controller --timeout "$install_timeout" >/dev/null 2>&1
}

# wait_available NAME: the stack's status.phase (written by berth-controller) is Available.
wait_available() {
  k wait "stacks.compose.docker.com/$1" --for=jsonpath='{.status.phase}'=Available --timeout "$timeout" >/dev/null 2>&1
}

# check_removed STACK MODE: the controller's finalizer deleted the children (web), then the stack went.
check_removed() {
  if k wait deployment/web --for=delete --timeout "$timeout" >/dev/null 2>&1 \
    && k wait "stacks.compose.docker.com/$1" --for=delete --timeout "$timeout" >/dev/null 2>&1; then
    pass "$2: stack removed: children deleted by the controller's finalizer, then the stack"
  else
    fail "$2: stack removal: $(k get deployments,stacks.compose.docker.com 2>&1)"
  fi
}

# uninstall_all MODE KIND NAME: berth system uninstall --all exits 0 and the mode's KIND/NAME is gone.
uninstall_all() {
  berth_system uninstall --all
  if [ "$code" = 0 ] && ! kubectl --context "$context" get "$2" "$3" >/dev/null 2>&1; then
    pass "$1 uninstall --all: $2 $3 gone"
  else
    fail "$1 uninstall: exit $code; $out $err"
  fi
}

install_stack_file() { # install_stack_file NAME REPLICAS: a v1beta1 Stack (the Compose file as text) on stdout
  cat <<YAML
apiVersion: compose.docker.com/v1beta1
kind: Stack
metadata:
  name: $1
spec:
  composeFile: |
    services:
      web:
        image: $image
        command: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && httpd -f -p 8080 -h /www"]
        deploy: {replicas: $2}
YAML
}

# --- 10. aggregated mode -------------------------------------------------------------------------------------------
log "system install --mode aggregated (berth-apiserver + etcd StatefulSet + berth-controller), docker stack deploy"
berth_system install --mode aggregated --image "$berth_image"
if [ "$code" = 0 ] && wait_rollouts && ks rollout status statefulset/berth-etcd --timeout "$install_timeout" >/dev/null 2>&1 \
  && kubectl --context "$context" wait apiservice/v1beta2.compose.docker.com --for=condition=Available --timeout "$install_timeout" >/dev/null 2>&1; then
  pass "aggregated install: Deployments rolled out, etcd running, APIService Available"
else
  fail "aggregated install: exit $code; $out $err"
fi
berth_system install --mode aggregated --image "$berth_image"
if [ "$code" = 0 ] && grep -q "Berth installed: 0 created, 0 updated" <<<"$out"; then
  pass "second aggregated install writes nothing"
else
  fail "second install: exit $code; $out $err"
fi

astack=istack-agg
if "$docker_cli" --version 2>/dev/null | grep -q '^Docker version 20\.10\.'; then
  kubectl config view --minify --flatten --context "$context" >"$work/docker.kubeconfig"
  install_stack_file "$astack" 2 | sed -n '/^    /s/^    //p' >"$work/agg-compose.yaml"
  set +e
  KUBECONFIG="$work/docker.kubeconfig" timeout "$install_timeout" "$docker_cli" stack deploy --orchestrator=kubernetes \
    --namespace "$namespace" -c "$work/agg-compose.yaml" "$astack" >"$work/out" 2>"$work/err"
  code=$?
  ps_out="$(KUBECONFIG="$work/docker.kubeconfig" "$docker_cli" stack ps --orchestrator=kubernetes --namespace "$namespace" "$astack" 2>&1)"
  set -e
  running="$(grep -c "Running" <<<"$ps_out" || true)"
  if [ "$code" = 0 ] && grep -q "is stable and running" "$work/out" && wait_available "$astack" && [ "$running" -ge 2 ]; then
    pass "docker stack deploy (CLI 20.10) waited for the controller's pods; stack Available; stack ps shows 2 running"
  else
    fail "docker stack deploy: exit $code; $(cat "$work/out" "$work/err"); ps: $ps_out"
  fi
  set +e
  KUBECONFIG="$work/docker.kubeconfig" "$docker_cli" stack rm --orchestrator=kubernetes --namespace "$namespace" "$astack" >/dev/null 2>&1
  set -e
else
  echo "note: $docker_cli is not docker CLI 20.10; the stack is applied with kubectl instead (set DOCKER_CLI)"
  install_stack_file "$astack" 2 | k apply -f - >/dev/null
  if wait_available "$astack" && [ "$(k get deployment web -o jsonpath='{.status.readyReplicas}')" = 2 ]; then
    pass "aggregated: kubectl-applied stack Available, web 2/2 ready"
  else
    fail "aggregated stack: $(k get stacks.compose.docker.com "$astack" -o yaml 2>&1)"
  fi
  k delete stacks.compose.docker.com "$astack" --wait=false >/dev/null 2>&1 || true
fi
check_removed "$astack" aggregated
uninstall_all aggregated apiservice v1beta2.compose.docker.com
kubectl --context "$context" wait namespace/berth-system --for=delete --timeout "$install_timeout" >/dev/null 2>&1 || true

# --- 11. CRD mode --------------------------------------------------------------------------------------------------
log "system install --mode crd (CRD + webhooks + berth-controller), kubectl apply of a stack"
berth_system install --mode crd --image "$berth_image"
if [ "$code" = 0 ] && wait_rollouts \
  && kubectl --context "$context" wait crd/stacks.compose.docker.com --for=condition=Established --timeout "$install_timeout" >/dev/null 2>&1; then
  pass "crd install: Deployments rolled out, CRD Established"
else
  fail "crd install: exit $code; $out $err"
fi
cstack=istack-crd
install_stack_file "$cstack" 2 >"$work/crd-stack.yaml"
if k apply -f "$work/crd-stack.yaml" >/dev/null 2>&1 && wait_available "$cstack" \
  && [ "$(k get deployment web -o jsonpath='{.status.readyReplicas}')" = 2 ] \
  && [ -n "$(k get "stacks.compose.docker.com/$cstack" -o jsonpath='{.metadata.annotations.compose\.docker\.com/owner}')" ]; then
  pass "crd: kubectl apply → owner recorded by the mutating webhook, stack Available, web 2/2 ready"
else
  fail "crd stack: $(k get stacks.compose.docker.com "$cstack" -o yaml 2>&1)"
fi
generation="$(k get deployment web -o jsonpath='{.metadata.generation}' 2>/dev/null || true)"
# A key the Compose schema does not know: the validating webhook's loader refuses it.
sed 's/^      web:$/      web:\n        no_such_key: true/' "$work/crd-stack.yaml" >"$work/crd-invalid.yaml"
set +e
invalid_out="$(k apply -f "$work/crd-invalid.yaml" 2>&1)"
invalid_code=$?
set -e
if [ "$invalid_code" != 0 ] && grep -q "denied the request" <<<"$invalid_out" \
  && [ "$(k get deployment web -o jsonpath='{.metadata.generation}')" = "$generation" ]; then
  pass "crd: an invalid file is refused at admission; the running Deployment untouched"
else
  fail "crd invalid file: exit $invalid_code; $invalid_out"
fi
k delete -f "$work/crd-stack.yaml" --wait=false >/dev/null 2>&1 || true
check_removed "$cstack" crd
uninstall_all crd crd stacks.compose.docker.com
