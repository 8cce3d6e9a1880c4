# make install and make uninstall, into a DESTDIR: the binary, the man page,
# the price table and the bash completion; and the completion completes.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
make -s install DESTDIR="$T/root" PREFIX=/usr MANDIR=/usr/share/man >/dev/null
for f in usr/bin/enrich usr/share/man/man1/enrich.1 \
    usr/share/bash-completion/completions/enrich usr/share/enrich/prices; do
	ok [ -f "$T/root/$f" ] || fail "make install did not install /$f"
done
ok [ -x "$T/root/usr/bin/enrich" ] || fail "enrich is not executable"
"$T/root/usr/bin/enrich" --version >/dev/null
if command -v bash >/dev/null; then
	got=$(PATH="$T/root/usr/bin:$PATH" bash -c '
	    . "$1"; COMP_WORDS=(enrich --st); COMP_CWORD=1; _enrich
	    echo "${COMPREPLY[*]}"' sh "$T/root/usr/share/bash-completion/completions/enrich")
	assert_eq "$got" "--stall-timeout --stats --stats-json"
	got=$(PATH="$T/root/usr/bin:$PATH" bash -c '
	    . "$1"; COMP_WORDS=(enrich -j a); COMP_CWORD=2; _enrich
	    echo "${COMPREPLY[*]}"' sh "$T/root/usr/share/bash-completion/completions/enrich")
	assert_eq "$got" "auto"
	# No option's argument is completed as an option: each one --help
	# shows with an argument is known to the completion.
	for o in $("$ENRICH" --help |
	    sed -nE 's/^ +(-[a-zA-Z0-9], )?(--[a-z0-9.-]+) [^ ].*/\2/p'); do
		got=$(PATH="$T/root/usr/bin:$PATH" bash -c '
		    . "$1"; COMP_WORDS=(enrich "$2" -); COMP_CWORD=2; _enrich
		    echo "${COMPREPLY[*]}"' sh \
		    "$T/root/usr/share/bash-completion/completions/enrich" "$o")
		case $got in *--*) fail "completion: $o takes an argument" ;; esac
	done
	# Each one whose argument --help calls a file completes file names.
	for o in $("$ENRICH" --help |
	    sed -nE 's/^ +(-[a-zA-Z0-9], )?(--[a-z0-9.-]+) [a-z]*file .*/\2/p'); do
		got=$(PATH="$T/root/usr/bin:$PATH" bash -c '
		    . "$1"; COMP_WORDS=(enrich "$2" "$3"); COMP_CWORD=2; _enrich
		    echo "${COMPREPLY[*]}"' sh \
		    "$T/root/usr/share/bash-completion/completions/enrich" "$o" \
		    "$T/root/usr/bin/enr")
		assert_eq "$got" "$T/root/usr/bin/enrich" "completion of $o"
	done
fi
make -s uninstall DESTDIR="$T/root" PREFIX=/usr MANDIR=/usr/share/man >/dev/null
ok [ -z "$(find "$T/root" -type f)" ] || fail "left behind: $(find "$T/root" -type f)"
