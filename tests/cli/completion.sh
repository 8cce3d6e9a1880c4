# The completions for bash, zsh and fish (completions/) come from the
# same table of options, through `enrich --help`: each shell offers every
# option --help lists and nothing else, completes file names for the
# options whose argument is a file, directories for --cache, auto for -j,
# and nothing for a number.  A shell that is not installed is skipped,
# and said so (`make deps` installs zsh and fish).
. "$(dirname "$0")/../lib.sh"
comp=$ROOT/completions
mkdir -p "$T/bin" "$T/d/sub"
ln -s "$ENRICH" "$T/bin/enrich"
PATH=$T/bin:$PATH
export PATH
: >"$T/d/file1"

"$ENRICH" --help >"$T/help"
sed -nE 's/^  (-[a-zA-Z]), (--[a-z0-9.-]+).*/\2/p
    s/^      (--[a-z0-9.-]+).*/\1/p' "$T/help" | sort >"$T/longs"
sed -nE 's/^  (-[a-zA-Z]), .*/\1/p' "$T/help" | sort >"$T/shorts"
ok [ "$(wc -l <"$T/longs")" -gt 40 ] || fail "few options in --help"
# Options whose argument --help calls a file (*file, or a state file).
sed -nE 's/^ +(-[a-zA-Z0-9], )?(--[a-z0-9.-]+) ([a-z]*file|state) .*/\2/p' \
    "$T/help" >"$T/fileopts"
ok [ "$(wc -l <"$T/fileopts")" -gt 8 ] || fail "few file options"

# offers SHELL WORD...: what SHELL completes for the command line, one a
# line (the last word is the one completed).
offers() {
	sh_=$1
	shift
	case $sh_ in
	bash)
		bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		    _enrich; printf "%s\n" "${COMPREPLY[@]}"' sh \
		    "$comp/enrich.bash" "$@" ;;
	zsh)
		CAPTURE_DUMP=$T/zcompdump timeout 30 zsh \
		    "$ROOT/tests/complete.zsh" "$comp" "$@" ;;
	fish)
		line=$*
		fish -c 'source $argv[1]; complete -C $argv[2]' \
		    "$comp/enrich.fish" "$line" | cut -f1 ;;
	esac | sed '/^$/d' | sort -u
}

tested=""
for sh in bash zsh fish; do
	if ! command -v $sh >/dev/null; then
		echo "completion: $sh is not installed: skipped (make deps)" >&2
		continue
	fi
	tested="$tested $sh"
	# Every long option, and nothing else; every short one.
	offers $sh enrich -- | grep '^--' >"$T/got" || true
	ok cmp -s "$T/got" "$T/longs" ||
	    fail "$sh: long options differ from --help: $(diff "$T/longs" "$T/got" | tr '\n' ' ')"
	offers $sh enrich - | grep -E '^-[a-zA-Z]$' >"$T/got" || true
	ok cmp -s "$T/got" "$T/shorts" ||
	    fail "$sh: short options differ from --help: $(diff "$T/shorts" "$T/got" | tr '\n' ' ')"
	# A prefix narrows them.
	assert_eq "$(offers $sh enrich --st | paste -s -d ' ' -)" \
	    "--stall-timeout --stats --stats-json" "$sh: --st"
	# Arguments: files, directories, auto, nothing.  Every file option
	# in bash and fish; zsh, slower to drive, the first and the last.
	if [ $sh = zsh ]; then
		sed -n '1p;$p' "$T/fileopts"
	else
		cat "$T/fileopts"
	fi >"$T/these"
	while read -r o; do
		assert_eq "$(offers $sh enrich "$o" "$T/d/fi")" "$T/d/file1" \
		    "$sh: $o completes a file"
	done <"$T/these"
	assert_eq "$(offers $sh enrich -f "$T/d/fi")" "$T/d/file1" "$sh: -f"
	assert_eq "$(offers $sh enrich --cache "$T/d/s" | sed 's,/$,,')" \
	    "$T/d/sub" "$sh: --cache completes a directory"
	assert_eq "$(offers $sh enrich -j a)" auto "$sh: -j"
	assert_eq "$(offers $sh enrich --jobs a)" auto "$sh: --jobs"
	assert_eq "$(offers $sh enrich --rpm "$T/d/fi")" "" "$sh: --rpm"
done
echo "completion: tested$tested" >&2

# make install puts the three where each shell looks.
cd "$ROOT"
make -s install DESTDIR="$T/root" PREFIX=/usr >/dev/null
for f in usr/share/bash-completion/completions/enrich \
    usr/share/zsh/site-functions/_enrich \
    usr/share/fish/vendor_completions.d/enrich.fish; do
	ok [ -f "$T/root/$f" ] || fail "make install did not install /$f"
done
make -s uninstall DESTDIR="$T/root" PREFIX=/usr >/dev/null
ok [ -z "$(find "$T/root" -type f)" ] || fail "left behind: $(find "$T/root" -type f)"
