#!/usr/bin/perl
# runner.pl: run test programs and judge them, for ./run.sh test.
#
#   runner.pl --ledger FILE --logs DIR KIND:PATH[=SOURCE]...
#       run each program, print one verdict line (and what failed), append
#       its verdict to the ledger FILE; full output in DIR
#   runner.pl --ledger FILE --fail NAME REASON
#       record a failure no program could report (a build, a cluster)
#   runner.pl --ledger FILE --expect KIND:PATH...
#       every program listed that has no verdict yet is a failure: it never ran
#   runner.pl --summary FILE
#       print what failed or was skipped, then, last, the line
#       "N passed, M failed, K skipped"; exit 1 when M > 0, when nothing
#       passed, or when K > 0 and CI=true (.ci/run installs every tool, so
#       there a skip is a test that silently did not run)
#
# KIND:
#   tap     PATH is executed (a .t file); its stdout is TAP
#   pgtap   PATH is a pgTAP .sql file, run as pg_prove runs it: psql -X -q -tA
#           -v ON_ERROR_STOP=1 -f PATH on the database of $PGTAP_DSN
#   cmocka  PATH is a cmocka program, run with CMOCKA_MESSAGE_OUTPUT=STDOUT;
#           SOURCE (its .c file), when given, says how many groups it runs
#
# A program passes only when it exits 0, ran to its end (TAP: a plan, met,
# no "Bail out!", no parse error; cmocka: every group it started reported
# each of its tests and its summary) and no sanitizer reported (ASan, LSan,
# UBSan in its output).  A program that fails that way with no failed test
# of its own counts the tests it planned but did not run as failed, and at
# least one.  "ok N # SKIP", a skipped cmocka test and a TODO test count as
# skipped, not passed; "1..0 # SKIP why" counts as one skipped.
#
# Ledger lines: kind TAB name TAB passed TAB failed TAB skipped TAB verdict
# (ok, FAIL or SKIP) TAB reason.
use strict;
use warnings;
use File::Basename qw(basename dirname);
use File::Path qw(make_path);
use POSIX qw(WIFEXITED WEXITSTATUS WIFSIGNALED WTERMSIG);
use TAP::Parser;

my $SANITIZER = qr/ERROR: (?:AddressSanitizer|LeakSanitizer|ThreadSanitizer|MemorySanitizer)|runtime error: |SUMMARY: (?:Address|Leak|UndefinedBehavior)Sanitizer/;
my $SHOW = 40;    # lines of a failure shown on the console

my ($ledger, $logs);
my @args = @ARGV;
if (@args && $args[0] eq '--summary') {
	exit summary($args[1]);
}
while (@args && $args[0] =~ /^--(ledger|logs)$/) {
	my $opt = shift @args;
	my $val = shift @args;
	$ledger = $val if $opt eq '--ledger';
	$logs = $val if $opt eq '--logs';
}
die "usage: runner.pl --ledger FILE [--logs DIR] (KIND:PATH... | --fail NAME REASON | --expect KIND:PATH...)\n"
  unless defined $ledger;
$logs //= dirname($ledger);
make_path($logs);

if (@args && $args[0] eq '--fail') {
	my (undef, $name, @why) = @args;
	record('setup', $name, 0, 1, 0, 'FAIL', join(' ', @why));
	printf "  %-4s  %s: %s\n", 'FAIL', $name, join(' ', @why);
	exit 0;
}
if (@args && $args[0] eq '--expect') {
	shift @args;
	my %seen = map { (split /\t/)[1] => 1 } read_ledger($ledger);
	for my $spec (@args) {
		my (undef, $path) = parse_spec($spec);
		next if $seen{$path};
		record('missing', $path, 0, 1, 0, 'FAIL', 'never ran: no verdict was recorded');
		printf "  %-4s  %s: never ran\n", 'FAIL', $path;
	}
	exit 0;
}
for my $spec (@args) {
	my ($kind, $path, $source) = parse_spec($spec);
	my %v = $kind eq 'cmocka' ? run_cmocka($path, $source)
	  : $kind eq 'tap' ? run_tap($path, [$path])
	  : $kind eq 'pgtap' ? run_pgtap($path)
	  : (passed => 0, failed => 1, skipped => 0, problems => ["unknown kind '$kind'"], show => []);
	verdict($kind, $path, %v);
}
exit 0;

sub parse_spec {
	my ($spec) = @_;
	my ($kind, $rest) = $spec =~ /^([a-z]+):(.*)$/ or return ('tap', $spec, undef);
	my ($path, $source) = split /=/, $rest, 2;
	return ($kind, $path, $source);
}

sub logname {
	my ($path) = @_;
	(my $n = $path) =~ s{^\./}{};
	$n =~ s{[/ ]}{_}g;
	return "$logs/$n";
}

# Run argv with stdout and stderr to files (merged: one file); returns the
# wait status, or undef when it could not start.
sub run_program {
	my ($argv, $out, $err, %env) = @_;
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0) {
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>', $out) or die "$out: $!";
		if (defined $err) { open(STDERR, '>', $err) or die "$err: $!"; }
		else { open(STDERR, '>&', \*STDOUT) or die "stderr: $!"; }
		$ENV{$_} = $env{$_} for keys %env;
		exec(@$argv) or do { print STDERR "cannot execute $argv->[0]: $!\n"; POSIX::_exit(127); };
	}
	waitpid($pid, 0);
	return $?;
}

sub status_problem {
	my ($st) = @_;
	return "killed by signal " . WTERMSIG($st) if WIFSIGNALED($st);
	return "exit " . WEXITSTATUS($st) if WIFEXITED($st) && WEXITSTATUS($st) != 0;
	return;
}

sub slurp {
	my ($f) = @_;
	open(my $fh, '<:raw', $f) or return '';
	local $/;
	my $s = <$fh>;
	return $s // '';
}

sub sanitizer_lines {
	my ($text) = @_;
	my @l = grep { /$SANITIZER/ } split /\n/, $text;
	return @l[0 .. ($#l < 4 ? $#l : 4)];
}

sub run_tap {
	my ($path, $argv, %env) = @_;
	my $log = logname($path);
	unless (-e $argv->[0] || $argv->[0] !~ m{/}) {
		return (passed => 0, failed => 1, skipped => 0, problems => ["$argv->[0] does not exist"], show => []);
	}
	my $st = run_program($argv, "$log.tap", "$log.err", %env);
	return judge_tap(slurp("$log.tap"), slurp("$log.err"), $st, "$log.tap", "$log.err");
}

sub run_pgtap {
	my ($path) = @_;
	my $dsn = $ENV{PGTAP_DSN};
	return (passed => 0, failed => 1, skipped => 0, problems => ['no PGTAP_DSN: no database to run it on'], show => [])
	  unless $dsn;
	return (passed => 0, failed => 1, skipped => 0, problems => ["$path does not exist"], show => [])
	  unless -e $path;
	return run_tap($path, [qw(psql -X -q -tA --pset pager=off -v ON_ERROR_STOP=1), '-d', $dsn, '-f', $path]);
}

sub judge_tap {
	my ($tap, $err, $st, $taplog, $errlog) = @_;
	my $p = TAP::Parser->new({ tap => $tap });
	my ($passed, $failed, $skipped, $bail, @show, @problems) = (0, 0, 0);
	my $in_failure = 0;
	my $skip_all;
	while (my $r = $p->next) {
		if ($r->is_bailout) {
			$bail = $r->explanation;
			push @show, "Bail out! " . ($bail // "");
			next;
		}
		if ($r->is_test) {
			$in_failure = 0;
			if ($r->has_todo) { $skipped++; }
			elsif ($r->has_skip && $r->is_ok) { $skipped++; }
			elsif ($r->is_ok) { $passed++; }
			else { $failed++; $in_failure = 1; push @show, $r->as_string; }
			next;
		}
		push @show, $r->as_string if $in_failure && $r->is_comment && @show < 4 * $SHOW;
	}
	$skip_all = $p->skip_all || 'no reason given' if $p->skip_all || ($p->plan // '') =~ /^1\.\.0\s*#\s*SKIP/i;
	push @problems, status_problem($st) if defined status_problem($st);
	push @problems, "Bail out! " . ($bail || '') if defined $bail;
	my $planned = $p->tests_planned;
	my $run = $p->tests_run;
	if (!defined $skip_all) {
		if (!$p->plan) { push @problems, "no plan: it stopped before its end"; }
		elsif ($planned != $run) { push @problems, "planned $planned tests, ran $run"; }
		elsif ($run == 0) { push @problems, "ran no test"; }
	}
	my @pe = grep { !/^(Bad plan|No plan found)/ } $p->parse_errors;
	push @problems, map { "TAP: $_" } @pe[0 .. ($#pe < 2 ? $#pe : 2)] if @pe;
	my @san = sanitizer_lines($err);
	push @problems, "sanitizer: $san[0]" if @san;
	my %v = (passed => $passed, failed => $failed, skipped => $skipped, problems => \@problems, show => \@show,
		 logs => [$taplog, $errlog]);
	if (@problems) {
		my $missing = defined $planned && $planned > $run ? $planned - $run : 0;
		$v{failed} += $missing;
		$v{failed} = 1 if $v{failed} == 0;
		my @tail = grep { length } split /\n/, $err;
		push @show, map { "stderr: $_" } (@san ? @san : @tail[($#tail - 7 < 0 ? 0 : $#tail - 7) .. $#tail]);
	}
	elsif (defined $skip_all) {
		$v{skip_all} = $skip_all;
		$v{skipped} = 1;
	}
	return %v;
}

sub run_cmocka {
	my ($path, $source) = @_;
	my $log = logname($path) . '.log';
	return (passed => 0, failed => 1, skipped => 0, problems => ["$path is not built"], show => [])
	  unless -x $path;
	my $st = run_program([$path], $log, undef, CMOCKA_MESSAGE_OUTPUT => 'STDOUT');
	my @lines = split /\n/, slurp($log);
	my ($passed, $failed, $skipped, @groups, $g, @show, @problems) = (0, 0, 0);
	for my $l (@lines) {
		if ($l =~ /^\[=+\] Running (\d+) test/) {
			push @problems, "a group started before the previous one ended" if $g;
			$g = { want => $1, got => 0 };
			push @groups, $g;
		}
		elsif ($l =~ /^\[=+\] (\d+) test\(s\) run\./) {
			if (!$g) { push @problems, "a group ended that never started"; next; }
			push @problems, "a group of $g->{want} tests reported $g->{got}" if $g->{got} != $g->{want};
			$g->{done} = 1;
			undef $g;
		}
		elsif ($g && $l =~ /^\[ {7}OK \] /) { $g->{got}++; $passed++; }
		elsif ($g && $l =~ /^\[  FAILED  \] (.*)/) { $g->{got}++; $failed++; push @show, $l; }
		elsif ($g && $l =~ /^\[  SKIPPED \] /) { $g->{got}++; $skipped++; }
		elsif ($g && $l =~ /^\[  ERROR   \]|^\[   LINE   \]/) { push @show, $l if @show < $SHOW; }
	}
	push @problems, status_problem($st) if defined status_problem($st);
	if ($g) {
		push @problems, "crashed inside a group: $g->{got} of its $g->{want} tests reported";
		$failed += $g->{want} - $g->{got};
	}
	push @problems, "ran no cmocka group" unless @groups;
	if (defined $source && -r $source) {
		my $want = () = slurp($source) =~ /\bcmocka_run_group_tests(?:_name)?\s*\(/g;
		push @problems, sprintf("%d of the %d groups in %s ran", scalar(@groups), $want, $source)
		  if $want && $want != @groups;
	}
	my @san = sanitizer_lines(join("\n", @lines));
	push @problems, "sanitizer: $san[0]" if @san;
	if (@problems) {
		$failed = 1 if $failed == 0;
		push @show, map { "output: $_" } (@san ? @san : @lines[($#lines - 7 < 0 ? 0 : $#lines - 7) .. $#lines]);
	}
	return (passed => $passed, failed => $failed, skipped => $skipped, problems => \@problems, show => \@show,
		logs => [$log]);
}

sub verdict {
	my ($kind, $path, %v) = @_;
	my $counts = "$v{passed} passed, $v{failed} failed, $v{skipped} skipped";
	my ($word, $reason);
	if ($v{failed} > 0 || @{ $v{problems} }) {
		$word = 'FAIL';
		$reason = @{ $v{problems} } ? join('; ', @{ $v{problems} }) : 'failed tests';
	}
	elsif ($v{skip_all}) {
		$word = 'SKIP';
		$reason = $v{skip_all};
	}
	else {
		$word = 'ok';
		$reason = $v{skipped} ? "$v{skipped} skipped" : '';
	}
	record($kind, $path, $v{passed}, $v{failed}, $v{skipped}, $word, $reason);
	my $line = sprintf "  %-4s  %s (%s)", $word, $path, $counts;
	$line .= ": $reason" if $word ne 'ok';
	print "$line\n";
	if ($word eq 'FAIL') {
		my @s = @{ $v{show} };
		print map { "        $_\n" } @s[0 .. ($#s < $SHOW ? $#s : $SHOW - 1)];
		print "        ... (" . (@s - $SHOW) . " more lines)\n" if @s > $SHOW;
		print "        log: " . join(' ', grep { -s } @{ $v{logs} || [] }) . "\n";
	}
	elsif ($word eq 'ok' && $v{skipped}) {
		print "        ($v{skipped} skipped: see " . join(' ', @{ $v{logs} || [] }) . ")\n";
	}
}

sub record {
	my @f = @_;
	s/[\t\n]/ /g for @f;
	open(my $fh, '>>', $ledger) or die "$ledger: $!";
	print $fh join("\t", @f), "\n";
	close $fh;
}

sub read_ledger {
	my ($f) = @_;
	open(my $fh, '<', $f) or return ();
	chomp(my @l = <$fh>);
	return grep { length } @l;
}

sub summary {
	my ($f) = @_;
	my ($n, $m, $k) = (0, 0, 0);
	my (@fail, @skip);
	for my $l (read_ledger($f)) {
		my ($kind, $name, $p, $fl, $s, $word, $reason) = split /\t/, $l, 7;
		$n += $p;
		$m += $fl;
		$k += $s;
		push @fail, "  $name: $reason" if $word eq 'FAIL';
		push @skip, "  $name: " . ($reason || "$s skipped") if $s > 0 && $word ne 'FAIL';
	}
	my $ci = ($ENV{CI} // '') =~ /^(true|1|yes)$/i;
	print "failed:\n", map { "$_\n" } @fail if @fail;
	print "skipped:\n", map { "$_\n" } @skip if @skip;
	print "CI=$ENV{CI}: $k skipped tests count as a failure here (.ci/run installs every tool)\n" if $ci && $k;
	print "nothing passed: no test ran\n" if $n == 0;
	print "$n passed, $m failed, $k skipped\n";
	return ($m > 0 || $n == 0 || ($ci && $k > 0)) ? 1 : 0;
}
