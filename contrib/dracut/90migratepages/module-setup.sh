#!/bin/bash
# dracut module: puts the static migratepages into the initramfs as
# /usr/bin/migratepages.
#   cp -r contrib/dracut/90migratepages /usr/lib/dracut/modules.d/
#   dracut --force --add migratepages
# The binary: $MIGRATEPAGES_BIN, else /usr/local/bin/migratepages
# (./build.sh install).

mp_bin() { echo "${MIGRATEPAGES_BIN:-/usr/local/bin/migratepages}"; }

# called by dracut: include the module only when asked (--add migratepages,
# or add_dracutmodules+=" migratepages " in dracut.conf.d), and only if the
# binary is there
check() {
    [ -x "$(mp_bin)" ] || return 1
    return 255
}

# called by dracut
depends() {
    return 0
}

# called by dracut
install() {
    inst_binary "$(mp_bin)" /usr/bin/migratepages
}
