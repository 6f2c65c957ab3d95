#!/usr/bin/env bash
# tests/mutation/run.sh (make check-tests): does ./run.sh test catch a few
# small deliberate bugs?  Not part of CI: it runs the whole suite once per
# mutation, plus once unmutated (about 3 minutes each on 2 cores).
#
# Each mutation below is applied to a scratch copy of this checkout (in
# TMPDIR, without build/, .git and other outputs), then ./run.sh test runs
# there and must fail.  First the unmutated copy must pass, or "caught"
# would mean nothing.  A mutation finds its code by a distinctive text
# searched recursively in etl/ and sql/ (so it survives files being moved),
# which must occur exactly once: "mutation NAME: pattern not found" (or
# "found N times") stops everything.  For each mutation the test files that
# failed are printed: what caught it.
#
#   MUTATION_ONLY=name,name   run only these
#   MUTATION_BASELINE=0       skip the unmutated run
#   MUTATION_KEEP=1           keep the scratch copies (their build/test-logs)
#
# Exit status: 0 when the baseline passed and every mutation was caught.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# The mutations, as data.  A record is
#   mutation: NAME
#   about:    what the bug does (printed)
#   find:     a fixed text, the rest of the line (exactly once in etl/ + sql/)
#   with:     its replacement; further lines starting with "| " continue it
# and ends at a blank line.
MUTATIONS=$(
	cat <<'END'
mutation: wan_scale
about: 万元 amounts are converted with 10^5 fen instead of 10^6: ten times too small
find: unit == UNIT_WAN ? 6 : 2, &v
with: unit == UNIT_WAN ? 5 : 2, &v

mutation: inverted_identity
about: one identity inverted: 本年支出合计 is checked against minus the sum of its 类 lines
find: exp.v = add_sat(exp.v, v);
with: exp.v = add_sat(exp.v, -v);

mutation: last_row_dropped
about: normalize drops the last row of every table and counts it as a meta line, so the row accounting still adds up
find: fwrite(nf->buf, 1, nf->len, z->out);
with: {
| 				size_t keep = nf->len ? nf->len - 1 : 0;
| 				while (keep > 0 && nf->buf[keep - 1] != '\n')
| 					keep--;
| 				const char *role = keep < nf->len && nf->buf[keep] == 'R'
| 				                       ? strchr(nf->buf + keep + 2, '\t') : NULL;
| 				int k = role && strncmp(role + 1, "subtotal", 8) == 0 ? 3 : 2;
| 				if (role && nf->e.n[k] > 0) {
| 					nf->e.n[k]--;
| 					nf->e.n[1]++;
| 				} else {
| 					keep = nf->len;
| 				}
| 				fwrite(nf->buf, 1, keep, z->out);
| 			}

mutation: mart_column_dropped
about: mart.expenditure_by_function loses its upper_remit_amount column
find: upper_remit_amount, business_op_amount, subsidiary_amount,
with: business_op_amount, subsidiary_amount,
END
)

# apply DIR NAME: apply mutation NAME in the copy DIR; prints where.
apply() {
	MUTATIONS=$MUTATIONS perl -e '
		use strict; use warnings; use File::Find;
		my ($dir, $want) = @ARGV;
		my (%m, $cur, $last);
		for (split /\n/, $ENV{MUTATIONS}) {
			if (/^mutation: (\S+)/) { $cur = $1; $m{$cur} = {}; next; }
			next unless defined $cur;
			if (/^(about|find|with): ?(.*)$/) { $m{$cur}{$1} = $2; $last = $1; next; }
			if (/^\| ?(.*)$/ && ($last // "") eq "with") { $m{$cur}{with} .= "\n$1"; next; }
		}
		my $mu = $m{$want} or die "mutation $want: no such mutation\n";
		my @hits;
		find({ no_chdir => 1, wanted => sub {
			return unless -f && /\.(c|h|sql)$/;
			open(my $fh, "<:raw", $_) or return;
			local $/; my $t = <$fh>;
			my $n = () = $t =~ /\Q$mu->{find}\E/g;
			push @hits, [$_, $n, $t] if $n;
		} }, grep { -d } "$dir/etl", "$dir/sql");
		die "mutation $want: pattern not found in etl/ or sql/: $mu->{find}\n" unless @hits;
		my $total = 0; $total += $_->[1] for @hits;
		die "mutation $want: pattern found $total times (" . join(", ", map { $_->[0] } @hits)
		    . "), not once: $mu->{find}\n" if $total != 1;
		my ($file, undef, $t) = @{ $hits[0] };
		my $line = 1 + (() = substr($t, 0, index($t, $mu->{find})) =~ /\n/g);
		$t =~ s/\Q$mu->{find}\E/$mu->{with}/;
		open(my $out, ">:raw", $file) or die "$file: $!\n";
		print $out $t;
		(my $rel = $file) =~ s{^\Q$dir\E/}{};
		print "$want: $mu->{about}\n    at $rel:$line\n";
	' "$1" "$2"
}

names() { printf '%s\n' "$MUTATIONS" | sed -n 's/^mutation: //p'; }

# copy DIR: this checkout, without outputs, into DIR
copy() {
	mkdir -p "$1"
	tar -C "$ROOT" --exclude=./build --exclude=./.local --exclude=./.git \
		--exclude=./tests/fuzz/out --exclude=./bench/out -cf - . | tar -C "$1" -xf -
}

# suite DIR LOG: ./run.sh test in DIR; prints its summary line and the files
# that failed; returns its exit status.
suite() {
	local dir=$1 log=$2 rc
	(cd "$dir" && ./run.sh test) >"$log" 2>&1
	rc=$?
	echo "    summary: $(tail -1 "$log") (exit $rc)"
	if [ -s "$dir/build/test-logs/ledger.tsv" ]; then
		awk -F'\t' '$6 == "FAIL" { printf "    failed: %s (%s failed): %s\n", $2, $4, substr($7, 1, 140) }' \
			"$dir/build/test-logs/ledger.tsv"
	fi
	return $rc
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/budget-etl-mutation.XXXXXX") || exit 1
[ "${MUTATION_KEEP:-}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
selected=$(names)
if [ -n "${MUTATION_ONLY:-}" ]; then
	selected=$(printf '%s\n' "${MUTATION_ONLY//,/ }" | tr ' ' '\n' | sed '/^$/d')
fi

# Every selected pattern must be found before anything runs (fail loudly).
for m in $selected; do
	copy "$WORK/check-$m" >/dev/null
	apply "$WORK/check-$m" "$m" >/dev/null || { echo "mutation check: stopped (see above)"; exit 1; }
	rm -rf "$WORK/check-$m"
done

status=0
if [ "${MUTATION_BASELINE:-1}" != 0 ]; then
	echo "baseline: the unmutated copy"
	copy "$WORK/baseline"
	if ! suite "$WORK/baseline" "$WORK/baseline.log"; then
		echo "mutation check: the unmutated copy fails its tests; nothing can be judged (log: $WORK/baseline.log)"
		trap - EXIT
		exit 1
	fi
	[ "${MUTATION_KEEP:-}" = 1 ] || rm -rf "$WORK/baseline"
fi

caught=0
total=0
for m in $selected; do
	total=$((total + 1))
	echo
	copy "$WORK/$m"
	apply "$WORK/$m" "$m" || exit 1
	if suite "$WORK/$m" "$WORK/$m.log"; then
		echo "    NOT CAUGHT: ./run.sh test passed with this bug (log: $WORK/$m.log)"
		status=1
		trap - EXIT
	else
		caught=$((caught + 1))
		echo "    caught"
	fi
	[ "${MUTATION_KEEP:-}" = 1 ] || rm -rf "$WORK/$m"
done
echo
echo "mutations: $caught of $total caught"
exit $status
