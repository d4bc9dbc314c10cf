# qemu-run-lib.sh — what tools/qemu-run.sh (x86_64) and
# tools/qemu-run-aarch64.sh have in common, sourced by both: the options
# every target takes (--mem, --accel, --net, --block, the image and its
# arguments), the checks of the image and its devices against the
# manifest, the devices' QEMU options, the kernel command line, and the
# run folder. POSIX sh; only functions, nothing runs when sourced.
#
# The sourcing script sets PROG, ROOT, QEMU, TARGET (the image's target),
# QEMU_PACKAGE (the Debian package with $QEMU), MEM_MIN and MEM_MAX (MiB),
# the defaults of its own options, and defines:
#   usage                   prints its --help
#   target_option OPT...    handles one option of its own: sets `used` to
#                           the number of words it took (1 or 2; calls
#                           want_value for a value), or leaves it 0 when
#                           OPT is not one of its options
#   device_at DRIVER PROPS  adds the -device of device $t (virtio-DRIVER
#                           with PROPS) for its machine, then t = t + 1

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 2
}

# add_device KIND NAME=SPEC: checks the option's form and records it in
# dev_KIND_NAME (names are [a-z][a-z0-9_]*, so they can name variables).
add_device() {
	kind=$1
	case "$2" in
	*=*) ;;
	*) die "--$kind '$2': want NAME=$([ "$kind" = net ] && echo 'user[:...] or NAME=tap:IFNAME' || echo FILE)" ;;
	esac
	name=${2%%=*}
	spec=${2#*=}
	case "$name" in
	[a-z]*) ;;
	*) die "--$kind '$2': the device name must start with a lower-case letter" ;;
	esac
	case "$name" in
	*[!a-z0-9_]*) die "--$kind '$2': device names use only a-z, 0-9 and _" ;;
	esac
	[ ${#name} -le 31 ] || die "--$kind '$2': the device name is longer than 31 characters"
	if printf '%s' "$given" | grep -q " $name\$"; then
		die "device '$name' is given twice"
	fi
	case "$kind:$spec" in
	net:user | net:user:*)
		for pair in $(printf '%s' "${spec#user}" | tr ',:' '  '); do
			case "$pair" in
			tcp | udp) ;;
			*-*)
				h=${pair%-*}
				g=${pair#*-}
				case "$h$g" in
				'' | *[!0-9]*) die "--net $name: '$pair' is not HOSTPORT-GUESTPORT" ;;
				esac
				[ -n "$h" ] && [ -n "$g" ] && [ "$h" -ge 1 ] && [ "$h" -le 65535 ] &&
					[ "$g" -ge 1 ] && [ "$g" -le 65535 ] ||
					die "--net $name: ports in '$pair' must be 1..65535"
				;;
			*) die "--net $name: '$pair' is not HOSTPORT-GUESTPORT" ;;
			esac
		done
		;;
	net:tap:?*)
		ifname=${spec#tap:}
		case "$ifname" in
		*[!A-Za-z0-9_.-]*) die "--net $name: '$ifname' is not an interface name" ;;
		esac
		[ ${#ifname} -le 15 ] || die "--net $name: interface name '$ifname' is longer than 15 characters"
		;;
	net:*) die "--net $name: '$spec' is neither user[:HOSTPORT-GUESTPORT,...] nor tap:IFNAME" ;;
	block:) die "--block $name: no file given (want --block $name=FILE)" ;;
	block:*)
		[ -e "$spec" ] || die "--block $name: '$spec' does not exist (create it, e.g. with truncate -s 64M)"
		[ -f "$spec" ] || [ -b "$spec" ] || die "--block $name: '$spec' is neither a file nor a block device"
		[ -r "$spec" ] && [ -w "$spec" ] || die "--block $name: '$spec' is not readable and writable"
		# QEMU would count a partial last sector as whole and extend the
		# file when it is written; the linux target ignores it. Refused.
		if [ -f "$spec" ] && [ $(($(wc -c <"$spec") % 512)) -ne 0 ]; then
			die "--block $name: '$spec' is $(wc -c <"$spec") bytes, not a whole number of 512-byte sectors"
		fi
		;;
	esac
	given="$given
$kind $name"
	eval "dev_${kind}_$name=\$spec"
}

# want_value OPT ARGS...: dies unless the option OPT has a value after it
# (for target_option's options that take one).
want_value() {
	[ $# -ge 2 ] || die "$1 needs a value (see --help)"
}

# parse_options ARGS...: reads the options up to the image's arguments
# into mem, accel, image, given and dev_*; the target's own through
# target_option. Sets nopts to the number of words read (the caller
# shifts them off; what is left are the image's arguments).
parse_options() {
	nopts=0
	mem=${mem:-64}
	accel=${accel:-auto}
	image=
	given= # "kind name" of each --net/--block, one a line
	while [ $# -gt 0 ]; do
		case "$1" in
		--mem | --accel | --net | --block)
			want_value "$@"
			case "$1" in
			--mem) mem=$2 ;;
			--accel) accel=$2 ;;
			--net | --block) add_device "${1#--}" "$2" ;;
			esac
			used=2
			;;
		-h | --help) usage; exit 0 ;;
		--) nopts=$((nopts + 1)); return 0 ;;
		-*)
			used=0
			target_option "$@"
			[ "$used" -gt 0 ] || die "unknown option '$1' (see --help)"
			;;
		*)
			[ -z "$image" ] || die "one image only; got '$image' and '$1' (image arguments go after --)"
			image=$1
			used=1
			;;
		esac
		shift "$used"
		nopts=$((nopts + used))
	done
}

# check_common_options: --mem within MEM_MIN..MEM_MAX, --accel known.
check_common_options() {
	case "$mem" in
	'' | *[!0-9]*) die "--mem wants a whole number of MiB, not '$mem'" ;;
	esac
	[ "$mem" -ge "$MEM_MIN" ] && [ "$mem" -le "$MEM_MAX" ] ||
		die "--mem $mem is out of range ($MEM_MIN..$MEM_MAX MiB)"
	case "$accel" in
	auto | kvm | tcg) ;;
	*) die "unknown accelerator '$accel' (auto, kvm or tcg)" ;;
	esac
}

# check_image: the image is a readable Keel image for TARGET; leaves
# keel-inspect's description in `info`.
check_image() {
	[ -n "$image" ] || die "no image given (see --help)"
	[ -e "$image" ] || die "image '$image' does not exist"
	[ -f "$image" ] || die "'$image' is not a file"
	[ -r "$image" ] || die "image '$image' is not readable"
	command -v "$QEMU" >/dev/null 2>&1 ||
		die "$QEMU not found; install the Debian package $QEMU_PACKAGE"
	inspect=$ROOT/build/host/bin/keel-inspect
	if [ ! -x "$inspect" ]; then
		make -s -C "$ROOT" tools >/dev/null 2>&1 || die "cannot build keel-inspect (make tools)"
	fi
	info=$("$inspect" "$image" 2>&1) || die "'$image' is not a valid Keel image: ${info#keel-inspect: }"
	target=$(printf '%s\n' "$info" | sed -n 's/^target: *\([a-z0-9_]*\).*/\1/p')
	[ "$target" = "$TARGET" ] ||
		die "'$image' was built for target '${target:-unknown}', not $TARGET (build it with TARGET=$TARGET)"
	printf '%s\n' "$info" | grep -q '^host: *hostnet' &&
		die "'$image' uses the host's sockets (lib/net-socket), which only the linux target has"
	return 0
}

# check_devices: every --net/--block names a device of the manifest, of
# its kind. Leaves the manifest's devices, "kind name" one a line in
# manifest order, in `declared`.
check_devices() {
	declared=$(printf '%s\n' "$info" | sed -n 's/^.*handle [0-9][0-9]*: *\([a-z]*\)  *\([a-z0-9_]*\).*/\1 \2/p')
	declared_list=$(printf '%s\n' "$declared" | sed '/^$/d' | tr '\n' ',' | sed 's/,$//; s/,/, /g')
	for d in $(printf '%s\n' "$given" | sed '/^$/d' | tr ' ' ':'); do
		kind=${d%%:*}
		name=${d#*:}
		printf '%s\n' "$declared" | grep -qx "$kind $name" && continue
		other=$(printf '%s\n' "$declared" | sed -n "s/^\([a-z]*\) $name\$/\1/p")
		[ -n "$other" ] && die "--$kind $name: '$name' is a $other device in the image; give it with --$other"
		die "--$kind $name: the image declares no $kind device '$name' (it declares: ${declared_list:-none})"
	done
}

# shell_quote WORD: WORD in single quotes, for eval.
shell_quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}
qargs=
# add_arg WORD...: appends QEMU arguments to qargs (run: eval "set -- $qargs").
add_arg() {
	for a in "$@"; do
		qargs="$qargs $(shell_quote "$a")"
	done
}

# attach_devices: the QEMU options of every declared device, in manifest
# order (device_at places each), then a virtio-rng device for kp_random.
# Says in `reachable` how the network devices are reached.
attach_devices() {
	reachable=
	t=0
	for d in $(printf '%s\n' "$declared" | sed '/^$/d' | tr ' ' ':'); do
		kind=${d%%:*}
		name=${d#*:}
		eval "spec=\${dev_${kind}_$name-}"
		if [ -z "$spec" ]; then
			if [ "$kind" = net ]; then
				die "the image declares net device '$name'; give it with --net $name=user[:HOSTPORT-GUESTPORT,...] or --net $name=tap:IFNAME"
			fi
			die "the image declares block device '$name'; give it with --block $name=FILE"
		fi
		case "$kind:$spec" in
		net:user*)
			fwd=
			proto=tcp
			for p in $(printf '%s' "${spec#user}" | tr ',:' '  '); do
				case "$p" in
				tcp | udp) proto=$p; continue ;;
				esac
				fwd="$fwd,hostfwd=$proto:127.0.0.1:${p%-*}-:${p#*-}"
				reachable="$reachable
$PROG: net $name: host $proto port ${p%-*} -> guest port ${p#*-} (user networking, guest 10.0.2.15)"
				proto=tcp
			done
			add_arg -netdev "user,id=net$t$fwd"
			;;
		net:tap:*)
			add_arg -netdev "tap,id=net$t,ifname=${spec#tap:},script=no,downscript=no"
			reachable="$reachable
$PROG: net $name: TAP ${spec#tap:}"
			;;
		block:*)
			# QEMU options separate with commas: a comma in the path is doubled.
			add_arg -drive "if=none,id=blk$t,format=raw,file=$(printf '%s' "$spec" | sed 's/,/,,/g')"
			;;
		esac
		case "$kind" in
		net) device_at virtio-net "netdev=net$t,mac=52:54:00:12:34:$(printf '%02x' $((0x56 + t)))" ;;
		block) device_at virtio-blk "drive=blk$t" ;;
		esac
	done
	add_arg -object rng-builtin,id=rng0
	device_at virtio-rng "rng=rng0"
}

# make_append ARGS...: the kernel command line the image parses into
# argv[1..] (words with spaces or quotes quoted with the other quote), in
# `append`.
make_append() {
	append=
	for a in "$@"; do
		case "$a" in
		*\"*\'* | *\'*\"*) die "argument '$a' holds both kinds of quotes, which the image cannot parse" ;;
		'' | *[\ \	\'\"]*)
			case "$a" in
			*\"*) a="'$a'" ;;
			*) a="\"$a\"" ;;
			esac
			;;
		esac
		append="${append:+$append }$a"
	done
}

# make_run_dir: a temporary folder `tmp`, removed at exit. QEMU gets the
# same signals (same process group) and shuts down; the traps only
# remember which one came (`signal`), for the exit status.
make_run_dir() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-qemu.XXXXXX") || die "cannot make a temporary folder"
	signal=
	trap 'rm -rf "$tmp"' EXIT
	trap 'signal=2' INT
	trap 'signal=15' TERM
	trap 'signal=1' HUP
}
