# TAP helpers shared by every tests/integration/*.t (git's test-lib.sh, with
# Test::More's names).  Source it, then:
#
#   plan N              declare N tests before the first (else done_testing
#                       prints the plan after the last)
#   skip_all REASON     the whole file cannot run here: "1..0 # SKIP REASON"
#                       and exit 0 (the runner counts it as skipped, and CI
#                       fails on it)
#   ok STATUS NAME      passes when STATUS is exactly 0: ok $? "...",
#                       ok "$(cmp ...; echo $?)" "..."
#   is GOT WANT NAME    passes when GOT equals WANT.  An empty GOT always
#                       fails (a query that errored or matched nothing must
#                       never equal an expectation), and so does an empty
#                       WANT: ask for a count or a word instead
#   like GOT ERE NAME   passes when GOT matches the extended regex ERE
#   skip REASON [N]     N (1) tests that cannot run here: "ok N # SKIP REASON"
#   diag TEXT...        a comment on stdout; without TEXT, stdin, each line
#   bail REASON         "Bail out! REASON", exit 255: the rest cannot run
#   must WHAT CMD...    a setup step: run CMD; if it fails, bail out naming
#                       WHAT and showing its output
#   tap_from NAME CMD...  run CMD, which prints TAP test lines (numbered or
#                       not, starting anywhere), renumber them into this
#                       file's sequence, then one more test: NAME, that CMD
#                       exited 0
#   done_testing        print the plan if none was declared; with a declared
#                       plan, fail when the count differs; exit 0 only when
#                       every test passed (else the number failed, max 254)
#
# Every test prints "ok N - NAME" or "not ok N - NAME"; a failure prints its
# details as "#" lines after it.  The file's exit status is part of its
# verdict (tests/lib/runner.pl), so a .t ends with done_testing.

TAP_N=0
TAP_FAILED=0
TAP_PLANNED=

plan() {
	TAP_PLANNED=$1
	echo "1..$1"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

tap_result() { # tap_result PASSED NAME
	TAP_N=$((TAP_N + 1))
	if [ "$1" = 1 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

ok() {
	if [ "$1" = 0 ]; then tap_result 1 "$2"; else
		tap_result 0 "$2"
		[ "$1" = 1 ] || diag "  status: '$1' (0 passes)"
	fi
}

is() {
	if [ -z "$2" ]; then
		tap_result 0 "$3"
		diag "  is: an empty expectation compares nothing; compare a count or a word"
	elif [ -z "$1" ]; then
		tap_result 0 "$3"
		diag "  got nothing (a query that failed or matched no row?)" "  want: '$2'"
	elif [ "$1" == "$2" ]; then
		tap_result 1 "$3"
	else
		tap_result 0 "$3"
		if [ "$(printf '%s\n' "$1" | wc -l)" -gt 1 ] || [ "$(printf '%s\n' "$2" | wc -l)" -gt 1 ]; then
			diff -u --label want --label got <(printf '%s\n' "$2") <(printf '%s\n' "$1") | head -40 | diag
		else
			diag "  got:  '$1'" "  want: '$2'"
		fi
	fi
}

like() {
	if [ -n "$1" ] && printf '%s\n' "$1" | grep -Eq -- "$2"; then tap_result 1 "$3"; else
		tap_result 0 "$3"
		diag "  got:  '$(printf '%s' "$1" | head -c 600)'" "  want a match for: $2"
	fi
}

skip() {
	local i
	for ((i = 0; i < ${2:-1}; i++)); do
		TAP_N=$((TAP_N + 1))
		echo "ok $TAP_N # SKIP $1"
	done
}

diag() {
	if [ $# -gt 0 ]; then printf '%s\n' "$@" | sed 's/^/# /'; else sed 's/^/# /'; fi
}

bail() {
	echo "Bail out! $*"
	exit 255
}

must() {
	local what=$1 out
	shift
	if ! out=$("$@" 2>&1); then
		printf '%s\n' "$out" | tail -20 | diag
		bail "$what failed"
	fi
}

tap_from() {
	local name=$1 tmp rc line
	shift
	tmp=$(mktemp "${TMPDIR:-/tmp}/tap_from.XXXXXX")
	"$@" >"$tmp"
	rc=$?
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok([[:space:]]+[0-9]+)?([[:space:]].*)?$ ]]; then
			TAP_N=$((TAP_N + 1))
			[ -n "${BASH_REMATCH[1]}" ] && TAP_FAILED=$((TAP_FAILED + 1))
			echo "${BASH_REMATCH[1]}ok $TAP_N${BASH_REMATCH[3]}"
		elif [[ $line =~ ^[[:space:]]*1\.\.[0-9]+ ]]; then
			diag "  (plan line of $name dropped: $line)"
		else
			printf '%s\n' "$line"
		fi
	done <"$tmp"
	rm -f "$tmp"
	ok "$rc" "$name"
}

done_testing() {
	if [ -z "$TAP_PLANNED" ]; then
		echo "1..$TAP_N"
	elif [ "$TAP_PLANNED" != "$TAP_N" ]; then
		diag "planned $TAP_PLANNED tests but ran $TAP_N"
		exit 255
	fi
	[ "$TAP_FAILED" -gt 0 ] && diag "$TAP_FAILED of $TAP_N tests failed"
	exit $((TAP_FAILED > 254 ? 254 : TAP_FAILED))
}
