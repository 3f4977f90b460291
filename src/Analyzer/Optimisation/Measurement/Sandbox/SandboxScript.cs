namespace LayerLens.Analyzer.Optimisation.Measurement.Sandbox;

/// <summary>
/// The shell steps of a sandboxed build. <see cref="Launcher"/> runs as root in the service's namespaces: it puts
/// itself into the build's cgroups (so everything after is limited, race-free) and execs unshare.
/// <see cref="Enter"/> runs as root, PID 1 of the new pid, mount, network, IPC and UTS namespaces: it builds a new
/// root from an allow-list (read-only, nosuid /usr and the library directories; an allow-listed /etc; the build
/// directory; tmpfs; a minimal /dev; a fresh proc and sysfs), pivots into it, drops to the build user with a
/// bounding set of only what newuidmap/newgidmap need and runs the given script with a cleared environment. After the
/// script it kills everything else in the namespace and records the store's free bytes where only root can write.
/// </summary>
internal static class SandboxScript
{
    /// <summary>
    /// (bash) $1… cgroup.procs files, then --, then the command to exec. Every descriptor above 2 is closed first:
    /// the service (or whatever started it) may hold descriptors without close-on-exec, and the build must inherit
    /// none of them. bash, not sh: dash cannot name a descriptor above 9.
    /// </summary>
    public const string Launcher = """
        while [ "$1" != -- ]; do echo $$ > "$1"; shift; done
        shift
        for fd in /proc/$$/fd/*; do
          fd=${fd##*/}
          # (No redirection on this exec: it would stay in place. Closing a closed descriptor is no error.)
          if [ "$fd" -gt 2 ]; then exec {fd}>&-; fi
        done
        exec "$@"
        """;

    /// <summary>
    /// $1 new-root mount point (an empty directory), $2 build directory, $3 store image, $4 build user, $5 tmpfs bytes;
    /// then pairs SOURCE NAME bound read-only at /run/layerlens-build/NAME, --, the build user's script and its arguments.
    /// </summary>
    public const string Enter = """
        set -eu
        newroot=$1 build=$2 image=$3 user=$4 tmpbytes=$5
        shift 5
        mount --make-rprivate /
        mount -t tmpfs -o mode=755,size=1m,nosuid,nodev sandbox-root "$newroot"
        cd "$newroot"
        # The host's programs and libraries, read-only, nosuid and nodev: no setuid-root or file-capability
        # program of the host (su, mount, passwd …) gains anything here. Nothing else of the host file system
        # exists in the new root: no data directory, no /run, /tmp, /home, /root, /var.
        for d in usr bin sbin lib lib32 lib64 libx32; do
          if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$d"
          elif [ -d "/$d" ]; then mkdir "$d"; mount --bind "/$d" "$d"; mount -o remount,bind,ro,nosuid,nodev "$d"
          fi
        done
        # The one exception: rootless buildah needs newuidmap and newgidmap with their privilege (setuid root or
        # file capabilities) to map its user namespace to the build user's subordinate ids. Each is bound back
        # over itself without nosuid; what they may do is bounded by the capability bounding set below.
        for tool in newuidmap newgidmap; do
          path=$(readlink -f "$(command -v "$tool")")
          mount --bind "$path" ".$path"
          mount -o remount,bind,ro,nodev ".$path"
        done
        # /etc from an allow-list on a tmpfs: passwd, group, subuid and subgid with only root's and the build
        # user's lines, and what the loader, the resolver and buildah read. The rest of the host's configuration
        # does not exist here.
        mkdir etc
        mount -t tmpfs -o mode=755,size=8m,nosuid,nodev,noexec sandbox-etc etc
        uid=$(id -u "$user") gid=$(id -g "$user")
        awk -F: -v u="$user" '$1 == "root" || $1 == u' /etc/passwd > etc/passwd
        awk -F: -v g="$gid" '$3 == "0" || $3 == g' /etc/group > etc/group
        for f in subuid subgid; do awk -F: -v u="$user" -v i="$uid" '$1 == u || $1 == i' "/etc/$f" > "etc/$f"; done
        for f in hosts nsswitch.conf ld.so.cache ld.so.conf ld.so.conf.d localtime alternatives containers; do
          if [ -e "/etc/$f" ] || [ -L "/etc/$f" ]; then cp -a "/etc/$f" etc/; fi
        done
        mount -o remount,ro etc
        mkdir -p run/layerlens-build proc sys dev tmp var/tmp
        mount --bind "$build" run/layerlens-build
        mount -o remount,bind,nosuid,nodev run/layerlens-build
        # The store is a file system of its own, of a fixed size: the disk limit.
        mount -o loop,nosuid,nodev "$image" run/layerlens-build/store
        while [ "$1" != -- ]; do
          mount --bind "$1" "run/layerlens-build/$2"
          mount -o remount,bind,ro,nosuid,nodev "run/layerlens-build/$2"
          shift 2
        done
        shift
        mount -t tmpfs -o "mode=1777,size=$tmpbytes,nosuid,nodev" sandbox-tmp tmp
        mount -t tmpfs -o "mode=1777,size=$tmpbytes,nosuid,nodev" sandbox-tmp var/tmp
        mount -t sysfs -o ro,nosuid,nodev,noexec sysfs sys
        # A minimal /dev: no host device node is reachable.
        mount -t tmpfs -o mode=755,size=64k,nosuid,noexec sandbox-dev dev
        mknod -m 666 dev/null c 1 3; mknod -m 666 dev/zero c 1 5; mknod -m 666 dev/full c 1 7
        mknod -m 666 dev/random c 1 8; mknod -m 666 dev/urandom c 1 9; mknod -m 666 dev/tty c 5 0
        mkdir dev/shm dev/pts
        mount -t tmpfs -o "mode=1777,size=$tmpbytes,nosuid,nodev,noexec" sandbox-shm dev/shm
        ln -s /proc/self/fd dev/fd; ln -s /proc/self/fd/0 dev/stdin; ln -s /proc/self/fd/1 dev/stdout; ln -s /proc/self/fd/2 dev/stderr
        store=run/layerlens-build/store
        mkdir -p "$store/xdg" "$store/tmp"
        chown "$user:$user" "$store" "$store/xdg" "$store/tmp"
        chmod 700 "$store/xdg"
        mkdir .old
        pivot_root . .old
        # A proc of this pid namespace only (umount reads /proc/self/mountinfo, so mount it first).
        mount -t proc -o nosuid,nodev,noexec proc /proc
        umount -l /.old
        rmdir /.old
        mount -o remount,bind,ro /
        cd /run/layerlens-build
        script=$1
        shift
        # Not no_new_privs: newuidmap and newgidmap need their privilege. The bounding set keeps only what they
        # use: CAP_SETUID/CAP_SETGID (map ids other than the caller's), CAP_SYS_ADMIN (the kernel asks it of
        # whoever writes a user namespace's map) and CAP_DAC_OVERRIDE (open the build user's /proc/PID/uid_map
        # as root); every other capability (CAP_SYS_MODULE, CAP_NET_ADMIN, CAP_SYS_PTRACE …) cannot be gained in
        # the host's namespace by any program. A user namespace buildah creates starts with a full set of its
        # own, valid only inside it. The environment
        # is rebuilt from nothing; HOME and the XDG configuration directories are root's empty read-only
        # directory, so no containers.conf or storage.conf a build left behind is read by the next one.
        setpriv --reuid="$user" --regid="$user" --clear-groups --inh-caps=-all --bounding-set=-all,+setuid,+setgid,+sys_admin,+dac_override -- \
          env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
          HOME=/run/layerlens-build/home XDG_CONFIG_HOME=/run/layerlens-build/home/config \
          XDG_DATA_HOME=/run/layerlens-build/home/data XDG_RUNTIME_DIR=/run/layerlens-build/store/xdg \
          TMPDIR=/run/layerlens-build/store/tmp LANG=C.UTF-8 \
          /bin/sh -c "$script" layerlens-build "$@" && status=0 || status=$?
        # The store's free space is read once nothing of the build runs any more: this shell is PID 1 of the
        # namespace, so kill -1 reaches every other process in it; then wait (bounded) until each is a zombie
        # (its files closed, its writes done). If one is not, nothing is recorded and the log decides.
        kill -KILL -1 2>/dev/null || true
        tries=0
        while [ $tries -lt 100 ]; do
          busy=
          for s in /proc/[0-9]*/stat; do
            [ "$s" = /proc/1/stat ] && continue
            read -r line < "$s" 2>/dev/null || continue
            state=${line##*) }
            [ "${state%% *}" = Z ] || { busy=1; break; }
          done
          [ -z "$busy" ] && break
          tries=$((tries + 1))
          sleep 0.05
        done
        if [ -z "$busy" ]; then
          df -B1 --output=avail /run/layerlens-build/store | tail -n 1 > /run/layerlens-build/.store-free || true
        fi
        exit $status
        """;

    /// <summary>One shell word, single-quoted.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
