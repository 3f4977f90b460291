namespace LayerLens.TestInfrastructure.Synthetic;

/// <summary>
/// A three-layer image exercising every rule of PRODUCT.md, with its numbers worked out by hand
/// in the comments (sizes are chosen so every sum is unique).
/// </summary>
public static class ScenarioImage
{
    // Layer 0: 19 paths; regular files 100+1000+50+200+300+400+500+70+600 = 3220 bytes.
    public static byte[] Layer0() => new LayerTarBuilder()
        .Dir("etc").File("etc/config", 100, seed: 1)
        .Dir("app").File("app/big.bin", 1000, seed: 2).File("app/script.sh", 50, seed: 3)
        .Dir("data").File("data/a", 200, seed: 4).File("data/b", 300, seed: 5).Dir("data/sub").File("data/sub/c", 400, seed: 6)
        .Dir("var").Dir("var/cache").Dir("var/cache/apt").File("var/cache/apt/pkgcache.bin", 500, seed: 7)
        .Dir("old").File("old/x", 70, seed: 8)
        .Dir("lib").File("lib/orig", 600, seed: 9).HardLink("lib/link", "lib/orig")
        .Build();

    // Layer 1: files 50+800+30+50+40+60+10+15 = 1055 bytes.
    // added: old/y, copy, copy/script-copy, app/notes.tmp, app/__pycache__, app/__pycache__/m.pyc, app/twice, app/current = 8
    // modified: app, app/script.sh, app/big.bin, old = 4
    // removed: data + data/a + data/b + data/sub + data/sub/c (5), old/x (1), lib/orig (1) = 7
    public static byte[] Layer1()
    {
        var b = new LayerTarBuilder().Dir("app");
        b.File("app/script.sh", SeededBytes(50, 3), (UnixFileMode)0b111_101_101); // chmod +x: same content
        return b.File("app/big.bin", 800, seed: 20)
            .Whiteout("data")
            .Dir("old").Opaque("old").File("old/y", 30, seed: 21)
            .Dir("copy").File("copy/script-copy", SeededBytes(50, 3))
            .File("app/notes.tmp", 40, seed: 22)
            .Dir("app/__pycache__").File("app/__pycache__/m.pyc", 60, seed: 23)
            .File("app/twice", 10, seed: 24).File("app/twice", 15, seed: 25)
            .Whiteout("lib/orig")
            .Symlink("app/current", "big.bin")
            .Build();
    }

    // Layer 2: files 120 + 0 = 120 bytes. added: app/zero, dev, dev/fifo = 3; modified: etc, etc/config = 2.
    public static byte[] Layer2() => new LayerTarBuilder()
        .Dir("etc").File("etc/config", 120, seed: 30)
        .File("app/zero", [])
        .Dir("dev").Fifo("dev/fifo")
        .Build();

    public const long SizeBytes = 3220 + 1055 + 120;                                   // 4395
    public const long FinalBytes = 120 + 800 + 50 + 500 + 600 + 30 + 50 + 40 + 60 + 15; // 2265 (lib/link carries lib/orig's 600)
    public const int FileCount = 11;
    public const long WastedBytes = SizeBytes - FinalBytes;                             // 2130
    public const long DuplicateBytes = 50;

    public static SyntheticImage Create(LayerCompression compression = LayerCompression.Gzip) =>
        new(Layer0(), Layer1(), Layer2())
        {
            Compression = compression,
            History = [("FROM base", false), ("ENV A=1", true), ("RUN change", false), ("COPY . /", false)],
        };

    public static byte[] SeededBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
