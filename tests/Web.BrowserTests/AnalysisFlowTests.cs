using System.Text.RegularExpressions;
using LayerLens.TestInfrastructure.Browser;
using LayerLens.TestInfrastructure.Images;
using Microsoft.Playwright;
using LayerLens.TestInfrastructure;

namespace LayerLens.Web.BrowserTests;

/// <summary>A user uploads a real buildah image and explores it; a wrong file fails clearly.</summary>
[Trait(Needs.Trait, Needs.Chromium)]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class AnalysisFlowTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const int BigBytes = 1024 * 1024;

    // Layers: 0 COPY busybox, 1 RUN --install, 2 COPY big.bin, 3 COPY app.txt, 4 RUN rm + echo.
    private static ImageRecipe Recipe => ImageRecipe.OnBusybox("layerlens-web-flow", """
        COPY big.bin /opt/big.bin
        COPY app.txt /app/app.txt
        RUN rm /opt/big.bin && echo -n hello > /app/new.txt

        """)
        .WithFile("app.txt", "application")
        .WithGenerated("layerlens-web-flow-big-1MiB-seed-3", async (dir, ct) =>
        {
            var big = new byte[BigBytes];
            new Random(3).NextBytes(big);
            await File.WriteAllBytesAsync(Path.Combine(dir, "big.bin"), big, ct);
        });

    private static async Task UploadAsync(IPage page, string file)
    {
        await page.GotoAsync("/analyses/new");
        await Assertions.Expect(page.Locator("[data-interactive=true]")).ToHaveCountAsync(1);
        await page.Locator("#ll-upload-file").SetInputFilesAsync(file);
        await page.GetByTestId("upload-start").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/analyses/[0-9a-f-]{36}$"), new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task Upload_a_real_image_watch_it_finish_and_find_added_removed_and_dead_files() =>
        await fixture.RunAsync(nameof(Upload_a_real_image_watch_it_finish_and_find_added_removed_and_dead_files), async page =>
        {
            var image = await ImageFactory.Shared.ExportAsync(Recipe, new ImageExportOptions { Format = ImageFormat.DockerArchive });

            await UploadAsync(page, image.Path);

            await Assertions.Expect(page.GetByTestId("analysis-status")).ToContainTextAsync("Succeeded", new() { Timeout = 60_000 });
            await Assertions.Expect(page.GetByTestId("card-layers")).ToHaveTextAsync("5");

            await page.GetByRole(AriaRole.Tab, new() { Name = "Explorer" }).ClickAsync();
            var explorer = page.GetByTestId("explorer");
            await explorer.Locator("[data-name=opt]").ClickAsync();
            await Assertions.Expect(explorer.Locator("[data-name='big.bin']")).ToHaveAttributeAsync("data-state", "removed");

            await explorer.GetByTestId("explorer-breadcrumbs").GetByText("/").First.ClickAsync();
            await explorer.Locator("[data-name=app]").ClickAsync();
            await Assertions.Expect(explorer.Locator("[data-name='new.txt']")).ToHaveAttributeAsync("data-state", "added");
            await Assertions.Expect(explorer.Locator("[data-name='app.txt']")).ToHaveAttributeAsync("data-state", "unchanged");

            await page.GetByRole(AriaRole.Tab, new() { Name = "Waste" }).ClickAsync();
            var biggest = page.GetByTestId("waste-item").First;
            await Assertions.Expect(biggest).ToContainTextAsync("/opt/big.bin");
            await Assertions.Expect(biggest).ToContainTextAsync("1.05 MB");
        });

    [Fact]
    public async Task A_file_that_is_not_an_image_fails_clearly_and_the_app_stays_healthy() =>
        await fixture.RunAsync(nameof(A_file_that_is_not_an_image_fails_clearly_and_the_app_stays_healthy), async page =>
        {
            var file = Path.Combine(Path.GetTempPath(), $"layerlens-not-an-image-{Guid.NewGuid():N}.txt");
            await File.WriteAllTextAsync(file, "just some notes, not a tarball " + new string('-', 1500));
            try
            {
                await UploadAsync(page, file);

                await Assertions.Expect(page.GetByTestId("analysis-status")).ToContainTextAsync("Failed", new() { Timeout = 60_000 });
                await Assertions.Expect(page.GetByTestId("analysis-error")).ToContainTextAsync(Path.GetFileName(file));
                await Assertions.Expect(page.GetByTestId("analysis-retry")).ToBeVisibleAsync();

                var health = await page.APIRequest.GetAsync("/healthz");
                Assert.Equal(200, health.Status);
            }
            finally
            {
                File.Delete(file);
            }
        });
}
