namespace LayerLens.Analyzer.Optimisation.Measurement.Sandbox;

/// <summary>
/// The shell steps of a sandboxed build. <see cref="Launcher"/> runs as root in the service's namespaces: it puts
/// itself into the build's cgroups (so everything after is limited, race-free) and execs unshare.
/// <see cref="Enter"/> runs as root, PID 1 of the new pid, mount, network, IPC and UTS namespaces: it builds a new
/// root from an allow-list (read-only /usr, /etc and the library directories; the build directory; tmpfs; a
/// minimal /dev; a fresh proc and sysfs), pivots into it, drops to the build user and runs the given script with
/// a cleared environment. After the script it records the store's free bytes where only root can write.
/// </summary>
internal static class SandboxScript
{
    /// <summary>$1… cgroup.procs files, then --, then the command to exec.</summary>
    public const string Launcher = """
        while [ "$1" != -- ]; do echo $$ > "$1"; shift; done
        shift
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
        # The host's programs and libraries, read-only (setuid kept: newuidmap/newgidmap need it). Nothing else
        # of the host file system exists in the new root: no data directory, no /run, /tmp, /home, /root, /var.
        for d in usr etc bin sbin lib lib32 lib64 libx32; do
          if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$d"
          elif [ -d "/$d" ]; then mkdir "$d"; mount --bind "/$d" "$d"; mount -o remount,bind,ro,nodev "$d"
          fi
        done
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
        # Not no_new_privs: newuidmap and newgidmap are setuid. The environment is rebuilt from nothing; HOME
        # and the XDG configuration directories are root's empty read-only directory, so no containers.conf or
        # storage.conf a build left behind is read by the next one.
        setpriv --reuid="$user" --regid="$user" --clear-groups -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
          HOME=/run/layerlens-build/home XDG_CONFIG_HOME=/run/layerlens-build/home/config \
          XDG_DATA_HOME=/run/layerlens-build/home/data XDG_RUNTIME_DIR=/run/layerlens-build/store/xdg \
          TMPDIR=/run/layerlens-build/store/tmp LANG=C.UTF-8 \
          /bin/sh -c "$script" layerlens-build "$@" && status=0 || status=$?
        df -B1 --output=avail /run/layerlens-build/store | tail -n 1 > /run/layerlens-build/.store-free || true
        exit $status
        """;

    /// <summary>One shell word, single-quoted.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
