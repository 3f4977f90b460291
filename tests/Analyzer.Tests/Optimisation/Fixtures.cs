using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Optimisation;
using LayerLens.Analyzer.BuildContexts;

namespace LayerLens.Analyzer.Tests.Optimisation;

/// <summary>
/// Fixture projects built FROM scratch with static busybox. Package managers are simulated by small
/// scripts that sleep (the expensive part) and write files derived from the manifests, so installs are
/// deterministic and never touch the network; sources are many small files.
/// </summary>
internal static class Fixtures
{
    public const string Base = "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n";

    public const int InstallSleepSeconds = 10;

    public static OptimisationResult Optimize(TempDir dir, string dockerfile, IReadOnlyList<LayerLens.Analyzer.Images.HistoryEntry>? history = null)
    {
        File.WriteAllText(dir.File("Dockerfile"), dockerfile);
        return Optimizer.Optimize(DockerfileDocument.Parse(dockerfile), BuildContext.Load(dir.Path, dir.File("Dockerfile")), history: history);
    }

    public static void Write(TempDir dir, string path, string content, bool executable = false)
    {
        var full = dir.File(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        if (executable)
        {
            SetMode(full, "755");
        }
    }

    public static void SetMode(string path, string octal)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(octal, 8));
        }
    }

    private static void Common(TempDir dir, string sourceDir, string extension, int count = 60)
    {
        File.Copy("/bin/busybox", dir.File("busybox"));
        SetMode(dir.File("busybox"), "755");
        for (var i = 0; i < count; i++)
        {
            Write(dir, $"{sourceDir}/module{i:D3}{extension}", $"// module {i}\nvalue {i * 7}\n");
        }
    }

    public static void Node(TempDir dir)
    {
        Common(dir, "src", ".js");
        Write(dir, "package.json", "{\"name\":\"app\",\"version\":\"1.0.0\",\"dependencies\":{\"left-pad\":\"1.3.0\"}}\n");
        Write(dir, "package-lock.json", "{\"lockfileVersion\":3}\n");
        Write(dir, ".dockerignore", "node_modules\n.git\n");
        Write(dir, "tools/npm", $"#!/bin/sh\n# simulated npm ci\nsleep {InstallSleepSeconds}\nmkdir -p node_modules\ncat package.json package-lock.json > node_modules/.installed\n", executable: true);
    }

    public const string NodeBad = Base + "COPY tools/npm /usr/local/bin/npm\nWORKDIR /app\n# the whole project at once\nCOPY . .\nRUN npm ci\nCMD [\"cat\", \"/app/node_modules/.installed\"]\n";

    public const string NodeGood = Base + "COPY tools/npm /usr/local/bin/npm\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD [\"cat\", \"/app/node_modules/.installed\"]\n";

    public static void Python(TempDir dir)
    {
        Common(dir, "app", ".py");
        Write(dir, "requirements.txt", "flask==3.0.0\nrequests==2.31.0\n");
        Write(dir, "tools/pip", $"#!/bin/sh\n# simulated pip install -r FILE\nsleep {InstallSleepSeconds}\nmkdir -p /usr/local/lib/site-packages\ncat \"$3\" > /usr/local/lib/site-packages/installed.txt\n", executable: true);
    }

    public const string PythonBad = Base + "COPY tools/pip /usr/local/bin/pip\nWORKDIR /srv\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"ls\", \"/srv/app\"]\n";

    public static void Go(TempDir dir)
    {
        Common(dir, "cmd", ".go");
        Write(dir, "go.mod", "module example.com/app\n\ngo 1.22\n");
        Write(dir, "go.sum", "example.com/dep v1.0.0 h1:abc=\n");
        Write(dir, "tools/go", $"#!/bin/sh\n# simulated go: mod download is slow, build concatenates sources\ncase \"$1\" in\nmod) sleep {InstallSleepSeconds}; mkdir -p /go/pkg/mod; cat go.mod go.sum > /go/pkg/mod/deps ;;\nbuild) mkdir -p /out; cat cmd/*.go > /out/app ;;\nesac\n", executable: true);
    }

    public const string GoBad = Base + "COPY tools/go /usr/local/bin/go\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /out/app\nCMD [\"/out/app\"]\n";

    public static void Plain(TempDir dir)
    {
        Common(dir, "site", ".html");
    }

    // Declared first: static fields initialise in text order.
    private static readonly string PlainSteps = $"WORKDIR /srv\nCOPY site ./site\n# an expensive toolchain setup that never looks at the site\nRUN mkdir -p /opt/toolchain && sleep {InstallSleepSeconds} && echo ready > /opt/toolchain/state\nCMD [\"ls\", \"/srv/site\"]\n";

    public static readonly string PlainBad = Base + PlainSteps;

    /// <summary>The plain project on a named base image that is not FROM scratch (see <see cref="BaseStore.NamedBase"/>).</summary>
    public static readonly string PlainOnNamedBase = "FROM " + BaseStore.NamedBase + "\n" + PlainSteps;
}
