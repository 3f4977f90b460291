namespace LayerLens.TestInfrastructure.Synthetic;

/// <summary>
/// The baseline scenario of issue 17, for the engine, CLI and service tests alike: three builds on main whose app layer
/// grows by 1 kB each, and a pull request whose image copies a 20 MB file in one step and deletes it in the next (dead
/// bytes). Its Dockerfile (42 lint findings on main) gains one warning (DL3003) in the pull request, and a variant only
/// moves lines (comments above, EXPOSE moved up, blank lines) so every line number changes.
/// </summary>
public static class BaselineScenarioImages
{
    public const int DeadFileBytes = 20_000_000;

    public const string DeadFile = "tmp/dead.bin";

    /// <summary>Regression limits the PR breaks and the main builds keep, beside absolute rules the PR image passes.</summary>
    public const string Policy = """
        rules:
          lowestEfficiency: off
          highestUserWastedPercent: off
        thresholds:
          maxWastedBytes: 100MB
        regression:
          maxSizeIncreaseBytes: 5MB
          maxSizeIncreasePercent: 10
          maxWastedIncreaseBytes: 1MB
          maxEfficiencyDrop: 2%
          newWaste: fail
          newFindings: fail
          newFindingsSeverity: warning
        """;

    public static readonly string[] MainHistory =
    [
        "/bin/sh -c #(nop) ADD file:base in /",
        "/bin/sh -c #(nop) COPY file:app in /app",
        "/bin/sh -c chmod 0644 /app/config",
    ];

    /// <summary>Main build 1, 2 or 3: the app grows by a few kB each time.</summary>
    public static SyntheticImage MainBuild(int build) => new(
        new LayerTarBuilder().Dir("bin").File("bin/busybox", 1_000_000, 1).Build(),
        new LayerTarBuilder().Dir("app").File("app/app.bin", 200_000 + build * 1_000, 10 + build).File("app/config", "port=80\n").Build(),
        new LayerTarBuilder().Dir("app").File("app/config", "port=80\n").Build())
    {
        Compression = LayerCompression.None,
        History = [.. MainHistory.Select(h => (h, false))],
    };

    /// <summary>Main build 3 plus a step that copies a 20 MB file and one that deletes it.</summary>
    public static SyntheticImage PullRequest() => new(
        new LayerTarBuilder().Dir("bin").File("bin/busybox", 1_000_000, 1).Build(),
        new LayerTarBuilder().Dir("app").File("app/app.bin", 203_000, 13).File("app/config", "port=80\n").Build(),
        new LayerTarBuilder().Dir("tmp").File(DeadFile, DeadFileBytes, 99).Build(),
        new LayerTarBuilder().Dir("tmp").Whiteout(DeadFile).Build(),
        new LayerTarBuilder().Dir("app").File("app/config", "port=80\n").Build())
    {
        Compression = LayerCompression.None,
        History =
        [
            (MainHistory[0], false), (MainHistory[1], false),
            ("/bin/sh -c #(nop) COPY file:dead in /tmp/dead.bin", false), ("/bin/sh -c rm /tmp/dead.bin", false),
            (MainHistory[2], false),
        ],
    };

    /// <summary>42 findings (hadolint's and LayerLens's rules), most at warning or info.</summary>
    public const string MainDockerfile = """
        FROM ubuntu
        MAINTAINER someone@example.com
        RUN apt-get update
        RUN apt-get install curl
        RUN apt-get install wget
        RUN apt-get install git
        RUN apt-get install vim
        RUN apt-get install make
        RUN pip install flask
        RUN pip install requests
        RUN npm install express
        ADD app.tar.gz /app
        WORKDIR app
        COPY . /app
        RUN sudo chmod +x /app/run.sh
        EXPOSE 80000
        CMD python app.py

        """;

    /// <summary>The same instructions with comments above, EXPOSE moved up, and blank lines: every line number changes.</summary>
    public const string MovedDockerfile = """
        # The app image.
        # Maintained by the platform team.

        FROM ubuntu
        MAINTAINER someone@example.com
        RUN apt-get update
        RUN apt-get install curl
        RUN apt-get install wget
        RUN apt-get install git
        RUN apt-get install vim
        RUN apt-get install make
        RUN pip install flask
        RUN pip install requests
        RUN npm install express
        EXPOSE 80000

        ADD app.tar.gz /app
        WORKDIR app
        COPY . /app
        RUN sudo chmod +x /app/run.sh
        CMD python app.py

        """;

    /// <summary>The moved Dockerfile plus one step that changes directory with cd: one new warning (DL3003).</summary>
    public static string PullRequestDockerfile => MovedDockerfile.Replace("WORKDIR app\n", "WORKDIR app\nRUN cd /tmp && echo built\n", StringComparison.Ordinal);
}
