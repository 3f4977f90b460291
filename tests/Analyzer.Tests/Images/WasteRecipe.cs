using System.Text;
using LayerLens.TestInfrastructure.Images;

namespace LayerLens.Analyzer.Tests.Images;

/// <summary>
/// A real buildah image with every kind of waste, and its numbers from first principles.
/// Layers: 0 COPY busybox, 1 RUN busybox --install (symlinks only), then the steps below.
/// </summary>
public static class WasteRecipe
{
    public const int BigFileBytes = 50 * 1024 * 1024;
    public const int SmallFiles = 20_000;
    public const int SmallFileBytes = 16; // "small file 00000"

    public static ImageRecipe Recipe => ImageRecipe.OnBusybox("layerlens-waste", """
        COPY big.bin /opt/big.bin
        COPY small/ /opt/small/
        COPY conf/ /etc/app/
        RUN chmod -R 700 /etc/app
        RUN rm -rf /opt/small
        RUN mkdir /srv && echo -n 0123456789 > /srv/b && ln /srv/b /srv/b.link && cp /srv/b /srv/b.copy && ln -s b /srv/b.sym && touch /srv/empty && dd if=/dev/zero of=/srv/scratch bs=1024 count=64 && rm /srv/scratch && echo -n new > /etc/app/a
        RUN rm -rf /etc/app && mkdir -p /etc/app && echo -n recreated > /etc/app/only

        """)
        .WithFile("conf/a", new string('a', 100))
        .WithFile("conf/b", new string('b', 200))
        .WithFile("conf/c", new string('c', 300))
        .WithGenerated("layerlens-waste-v1-big-50MiB-seed-7-small-20000", async (dir, ct) =>
        {
            var big = new byte[BigFileBytes];
            new Random(7).NextBytes(big);
            await File.WriteAllBytesAsync(Path.Combine(dir, "big.bin"), big, ct);
            var small = Path.Combine(dir, "small");
            Directory.CreateDirectory(small);
            for (var i = 0; i < SmallFiles; i++)
            {
                await File.WriteAllBytesAsync(Path.Combine(small, $"f{i:D5}"), Encoding.ASCII.GetBytes($"small file {i:D5}"), ct);
            }
        });

    public static long BusyboxBytes => new FileInfo(ImageRecipe.HostBusyboxPath).Length;

    // Per layer, regular-file bytes shipped: what each step writes.
    public static long[] LayerSizes => [
        BusyboxBytes,                 // 0 COPY busybox
        0,                            // 1 RUN --install: symlinks
        BigFileBytes,                 // 2
        SmallFiles * SmallFileBytes,  // 3
        600,                          // 4 conf a+b+c
        600,                          // 5 chmod -R copies a, b, c unchanged
        0,                            // 6 rm -rf
        10 + 10 + 3,                  // 7 b, b.copy, new a (b.link is a hard link, scratch never lands)
        9,                            // 8 only
    ];

    // Visible: busybox, big.bin, srv/b (10), srv/b.link (0: its target is visible), srv/b.copy (10), srv/empty, etc/app/only (9).
    public static long FinalBytes => BusyboxBytes + BigFileBytes + 10 + 10 + 9;

    // The 7 files above, plus the empty etc/hostname, etc/hosts and etc/resolv.conf that buildah's
    // first RUN leaves in its layer (mount points for the files it binds in).
    public const int FileCount = 7 + 3;
    public const long DuplicateBytes = 10; // srv/b.copy repeats srv/b; b.link is the same file, not a duplicate
}
