# Sourced by the shell program scripts/runReadmeRecipe.ts makes of a README recipe (bash, in the
# recipe's folder, RECIPE_STATE set): what runs around the recipe's own commands.
set -euo pipefail
set -m # each background command in a process group of its own, stopped with all it started

recipe_groups="$RECIPE_STATE/groups" # every process group started, read by the runner too
: >"$recipe_groups"
recipe_servers=()
recipe_npm_start=
recipe_starts=0
recipe_where='the start of the recipe'

# Announces the next command with its place in the README: a failure says which command it was.
recipe_at() {
  recipe_where=$1
  printf '\n[%s] $ %s\n' "$1" "$2"
}

recipe_failed() {
  printf '%s\n' "$1"
  echo "recipe failed at $recipe_where" >&2
  exit 1
}

# A command followed by "# → TEXT" in the README must print TEXT.
recipe_expect() {
  printf '%s\n' "$2"
  case "$2" in
  *"$1"*) ;;
  *)
    echo "recipe failed at $recipe_where: its output lacks \"$1\"" >&2
    exit 1
    ;;
  esac
}

# A command the recipe leaves running in the background (a web server): it must still run at the end.
recipe_background() {
  echo "$1" >>"$recipe_groups"
  recipe_servers+=("$1")
}

recipe_stop() {
  kill -TERM -- "-$1" 2>/dev/null || return 0
  for _ in $(seq 100); do
    kill -0 -- "-$1" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$1" 2>/dev/null || true
}

recipe_stop_all() {
  local status=$?
  while read -r group; do recipe_stop "$group"; done <"$recipe_groups"
  return $status
}

trap 'echo "recipe failed at $recipe_where (exit $?)" >&2' ERR
trap recipe_stop_all EXIT
trap 'exit 143' TERM INT

recipe_print_start_log() {
  sed 's/#token=[0-9a-f]*/#token=…/' "$1" # the per-start access token stays out of the output
}

# npm start runs until Ctrl-C: here it runs in the background (no window) until it announces its UI,
# and the recipe carries on; a later npm start stops it first, as Ctrl-C would.
npm() {
  if [ "${1-}" != start ]; then
    command npm "$@"
    return
  fi
  shift
  if [ "${1-}" = -- ]; then shift; fi
  local extra=(--no-open)
  case " $* " in
  *" --port "* | *" --port="*) ;;
  *) extra+=(--port 0) ;;
  esac
  if [ -n "$recipe_npm_start" ]; then recipe_stop "$recipe_npm_start"; fi
  recipe_starts=$((recipe_starts + 1))
  local log="$RECIPE_STATE/npm-start-$recipe_starts.log"
  : >"$log"
  command npm start -- "${extra[@]}" "$@" >"$log" 2>&1 &
  recipe_npm_start=$!
  echo "$recipe_npm_start" >>"$recipe_groups"
  local tries=0
  until grep -q '^Open the UI at ' "$log"; do
    if ! kill -0 "$recipe_npm_start" 2>/dev/null; then
      recipe_print_start_log "$log"
      echo "recipe failed at $recipe_where: npm start ended before its UI came up" >&2
      exit 1
    fi
    tries=$((tries + 1))
    if [ "$tries" -gt 1800 ]; then
      recipe_print_start_log "$log"
      echo "recipe failed at $recipe_where: npm start announced no UI within 180 s" >&2
      exit 1
    fi
    sleep 0.1
  done
  recipe_print_start_log "$log"
}

# After the recipe's last command: what it left running in the background must still be running.
recipe_finish() {
  recipe_where='the end of the recipe'
  local group
  for group in "${recipe_servers[@]}" $recipe_npm_start; do
    if ! kill -0 -- "-$group" 2>/dev/null; then
      echo "recipe failed: a command it left running in the background (process group $group) had stopped" >&2
      exit 1
    fi
  done
}
