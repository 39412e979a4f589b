# Headset Control: A/B slot selection for U-Boot (boot.scr: mkimage -T script -d boot.cmd boot.scr).
# Mirrors native/grub/grub.cfg and src/boot/bootSelection.ts (the simulated device runs that one; keep
# the three in step). Variables live in the U-Boot environment (two redundant copies), written by
# headsetd (main/services/boot/UBootEnvironmentFile.ts) or fw_setenv:
#   ORDER         slots to try, preferred first ("A B", single spaces); slots it omits are tried after it
#   A_OK/B_OK     "1" when the slot may be booted
#   A_LEFT/B_LEFT boot attempts left, "0".."3"; one is taken here per boot, headsetd gives them back
#                 when the booted slot proves healthy (the commit). Anything else counts as no tries.
#   RECOVERY      "1": the running system asked for one boot into recovery; set back to "0", no try taken
# When no slot has tries left, or on RECOVERY=1, boot the recovery partition (PARTLABEL=recovery, which
# no install writes) with headset.recovery=1 and the reason: never brick. headset.slot then names the
# first bootable slot of ORDER, the one the system falls back to.

# Scratch values are hush locals, which saveenv never writes: only A_LEFT/B_LEFT change in the
# environment, as in bootSelection.ts. U-Boot looks a name up in the environment before the locals,
# so drop any environment variable that would shadow one.
setenv hs_slot
setenv hs_recovery
setenv hs_try
setenv hs_ok
setenv hs_left
setenv hs_next
setenv hs_reason

# "x" prefixes keep every compared word non-empty when a variable is unset.
hs_slot=none
hs_recovery=0
hs_reason=none
if test "x${RECOVERY}" = x1; then
  hs_recovery=1
  hs_reason=requested
  setenv RECOVERY 0
fi
for hs_try in ${ORDER} A B; do
  if test "${hs_slot}" = none -a "${hs_recovery}" = 0; then
    hs_ok=x0
    hs_left=x0
    if test "${hs_try}" = A; then
      hs_ok="x${A_OK}"
      hs_left="x${A_LEFT}"
    fi
    if test "${hs_try}" = B; then
      hs_ok="x${B_OK}"
      hs_left="x${B_LEFT}"
    fi
    if test "${hs_ok}" = x1; then
      # A ladder takes one try, as in grub.cfg (setexpr would turn "07" or "9" into tries).
      hs_next=none
      if test "${hs_left}" = x3; then hs_next=2; fi
      if test "${hs_left}" = x2; then hs_next=1; fi
      if test "${hs_left}" = x1; then hs_next=0; fi
      if test "${hs_next}" != none; then
        if test "${hs_try}" = A; then
          setenv A_LEFT "${hs_next}"
        else
          setenv B_LEFT "${hs_next}"
        fi
        hs_slot="${hs_try}"
      fi
    fi
  fi
done

if test "${hs_slot}" = none; then
  hs_recovery=1
  if test "${hs_reason}" = none; then hs_reason=slots-failed; fi
  for hs_try in ${ORDER} A B; do
    if test "${hs_slot}" = none; then
      if test "${hs_try}" = A; then
        if test "x${A_OK}" = x1; then hs_slot=A; fi
      fi
      if test "${hs_try}" = B; then
        if test "x${B_OK}" = x1; then hs_slot=B; fi
      fi
    fi
  done
  # No bootable slot at all: the first slot in the order, as bootSelection.ts does.
  for hs_try in ${ORDER} A B; do
    if test "${hs_slot}" = none; then
      if test "${hs_try}" = A; then hs_slot=A; fi
      if test "${hs_try}" = B; then hs_slot=B; fi
    fi
  done
fi

# Redundant environment: saveenv writes the older copy with the next flag, so a power cut here
# leaves the previous environment in force and this boot's try is simply not taken.
saveenv

# Set after saveenv so the command line is never stored. Board arguments (console=...) go here.
if test "${hs_recovery}" = 1; then
  setenv bootargs "root=PARTLABEL=recovery ro headset.slot=${hs_slot} headset.recovery=1 headset.recovery_reason=${hs_reason} quiet"
  # The recovery system: its own FIT image on the boot partition, which no install writes.
  load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} /recovery/boot.img
  bootm ${kernel_addr_r}
  reset
fi
setenv bootargs "root=PARTLABEL=rootfs_${hs_slot} ro headset.slot=${hs_slot} headset.recovery=${hs_recovery} quiet"

# Board-specific from here: distro boot sets devtype/devnum/distro_bootpart for the partition that
# holds this script (the boot partition, shared by both slots).
# An update with a boot image wrote the slot's kernel, initramfs and device tree there as one FIT
# image, /<slot>/boot.img (docs/bundle-format.md): bootm takes all three from it and checks their
# hashes. It returns only on failure (a damaged image): reset, so that the try taken above counts
# and, tries spent, the other slot boots; never an older kernel beside this slot's new rootfs.
if test -e ${devtype} ${devnum}:${distro_bootpart} /${hs_slot}/boot.img; then
  load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} /${hs_slot}/boot.img
  bootm ${kernel_addr_r}
  reset
fi
# No boot image (a slot installed without one): its kernel and initramfs as files; booti wants an
# uncompressed Image unless kernel_comp_addr_r is set.
load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} /slot-${hs_slot}/vmlinuz
load ${devtype} ${devnum}:${distro_bootpart} ${ramdisk_addr_r} /slot-${hs_slot}/initrd.img
booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize} ${fdtcontroladdr}
