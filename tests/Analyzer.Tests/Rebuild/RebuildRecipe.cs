using LayerLens.TestInfrastructure.Images;

namespace LayerLens.Analyzer.Tests.Rebuild;

/// <summary>
/// A buildah image with every case the rebuild must carry over: kept base layers (busybox, /base), then
/// overwrites, chmod/chown copies, deleted files and directories, a deleted-and-recreated directory, hard
/// links (one group losing its target later), symlinks, a sparse file, long and
/// non-ASCII names, empty files, a file created and removed in one layer, and empty paths of a kept layer
/// removed later (whiteouts the rebuilt image must carry). buildah refuses mknod and busybox has no setfattr: devices and xattrs are covered by
/// <see cref="SyntheticRebuildTests"/>.
/// </summary>
public static class RebuildRecipe
{
    public const string LongName = "llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll";

    public static ImageRecipe Recipe(string name = "rebuild-cases", string appText = "app v1") => ImageRecipe.OnBusybox(name, $$"""
        RUN mkdir -p /base/emptydir /base/kept && echo keep > /base/kept/keep.txt && touch /base/emptyfile
        RUN mkdir -p /app/sub /app/gone/deeper /opq "/app/ünïcödé dir" && dd if=/dev/urandom of=/app/over.bin bs=1k count=32             && echo data > /app/chmod.txt && echo x > /app/gone/f1 && echo y > /app/gone/deeper/f2 && echo o1 > /opq/old1 && echo o2 > /opq/old2             && echo target > /app/hl-target && ln /app/hl-target /app/hl-a && ln /app/hl-target /app/hl-b             && echo pair > /app/pair1 && ln /app/pair1 /app/pair2             && touch /app/empty && ln -s ../base/kept/keep.txt /app/sym && ln -s /nowhere /app/dangling             && echo u > "/app/ünïcödé dir/fïlé" && echo long > /app/sub/{{LongName}}             && dd if=/dev/urandom of=/app/sparse bs=1k count=4 seek=1024
        RUN echo new > /app/over.bin && chmod 600 /app/chmod.txt && chown 1000:2000 /app/sub
        RUN rm -rf /app/gone /opq /app/hl-target && mkdir /opq && echo fresh > /opq/new && rmdir /base/emptydir && rm /base/emptyfile
        RUN echo tmp > /app/tmp && rm /app/tmp && echo '{{appText}}' > /app/version
        CMD ["/bin/cat", "/app/version", "/app/over.bin"]
        """);
}
