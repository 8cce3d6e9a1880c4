# lib/fold.c's table: perl tests/fold_table.pl prints it (tests/cli/fold.sh
# checks that it still does).
# Unicode simple case folding as ranges { first, last, delta, step }: the
# code points first, first + step, ... last fold to themselves + delta.
use Unicode::UCD qw(casefold);
my @m;
for my $cp (0..0x10FFFF) {
	my $c = casefold($cp) or next;
	next unless $c->{status} eq 'C' || $c->{status} eq 'S';
	push @m, [$cp, hex($c->{simple} ne '' ? $c->{simple} : $c->{mapping})];
}
my @r;
for (my $i = 0; $i < @m; ) {
	my ($lo, $d) = ($m[$i][0], $m[$i][1] - $m[$i][0]);
	my $step = $i + 1 < @m && $m[$i + 1][0] - $lo <= 2 &&
	    $m[$i + 1][1] - $m[$i + 1][0] == $d ? $m[$i + 1][0] - $lo : 1;
	my $j = $i;
	$j++ while $j + 1 < @m && $m[$j + 1][0] == $m[$j][0] + $step &&
	    $m[$j + 1][1] - $m[$j + 1][0] == $d;
	push @r, sprintf("{ 0x%04X, 0x%04X, %d, %d }", $lo, $m[$j][0], $d,
	    $j > $i ? $step : 1);
	$i = $j + 1;
}
print "\t", join(", ", @r[$_, $_ + 1]), ",\n" for grep { $_ % 2 == 0 } 0..$#r;
