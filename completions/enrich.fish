# fish completion for enrich(1); installed by `make install`.
#
# As for bash, the options come from `enrich --help`, which is made from
# the program's table of options: a line "  -f, --prompt-file file  help"
# or "      --azure  help", its help going on in lines indented further, so
# a new option needs nothing here.  An argument named *file (or
# --batch-api's state) completes as a file name, dir as a directory,
# jobs | auto as auto, any other as nothing.
complete -c enrich -e
# No operands: only options, and their arguments.
complete -c enrich -f
for line in (command enrich --help 2>/dev/null | awk -F '  +' '
	function put() { if (l != "") print s "\t" l "\t" a "\t" d }
	/^(  |      )-/ {
		put()
		n = split($2, w, " "); s = "-"; i = 1
		if (w[1] ~ /,$/) { s = substr(w[1], 1, 2); i = 2 }
		a = ""
		for (j = i + 1; j <= n; j++) a = a (a == "" ? "" : " ") w[j]
		l = w[i]; d = $3; next
	}
	/^        / && l != "" { sub(/^ +/, ""); d = d " " $0 }
	END { put() }')
	set -l f (string split \t -- $line)
	set -l args -c enrich -l (string sub -s 3 -- $f[2]) -d $f[4]
	test $f[1] != -; and set -a args -s (string sub -s 2 -- $f[1])
	switch $f[3]
	case ''
		set -a args -f
	case '*file' state
		set -a args -r -F
	case dir
		set -a args -x -a '(__fish_complete_directories (commandline -ct))'
	case '*auto'
		set -a args -x -a auto
	case '*'
		set -a args -x
	end
	complete $args
end
