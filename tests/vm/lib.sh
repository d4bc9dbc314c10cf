# Helpers for the end-to-end tests every hypervisor target shares
# (sourced after tests/lib.sh with the target as $1): tests/vm/*.sh take
# the target as their argument, and tests/<target>/*.t run them, so the
# suite names each run by its target. VM_TARGET is x86_64 or aarch64;
# the target's own helpers (tests/<target>/lib.sh) are sourced, and
# these names call them:
#   vm_build APP_DIR...     builds images for the target
#   vm_image APP_DIR        the path of an app's stripped image
#   vm_run WANT ARGS...     the target's launcher with ARGS, must exit WANT
#                           (output in $out)
# and VM_NM, VM_ADDR2LINE (binutils for the target's ELF files).

VM_TARGET=${1:-}
case "$VM_TARGET" in
x86_64)
	. tests/x86_64/lib.sh
	vm_build() { x86_build "$@"; }
	vm_image() { x86_image "$@"; }
	vm_run() { x86_run "$@"; }
	VM_NM=nm
	VM_ADDR2LINE=addr2line
	;;
aarch64)
	. tests/aarch64/lib.sh
	vm_build() { a64_build "$@"; }
	vm_image() { a64_image "$@"; }
	vm_run() { a64_run "$@"; }
	VM_NM=aarch64-linux-gnu-nm
	VM_ADDR2LINE=aarch64-linux-gnu-addr2line
	;;
*) fail "the target (x86_64 or aarch64) is the first argument, not '$VM_TARGET'" ;;
esac
