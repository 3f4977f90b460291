using LayerLens.Analyzer.Benchmarks;

return args switch
{
    ["gunzip-baseline", var layout] => await GunzipBaseline.RunAsync(layout),
    ["inflate", var file] => InflateFile.Run(file),
    ["synthetic", var layout, var files] => await SyntheticImage.WriteAsync(layout, int.Parse(files, System.Globalization.CultureInfo.InvariantCulture)),
    ["synthetic", var layout, var files, var perDirectory] => await SyntheticImage.WriteAsync(layout,
        int.Parse(files, System.Globalization.CultureInfo.InvariantCulture), int.Parse(perDirectory, System.Globalization.CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: gunzip-baseline OCI_DIR | inflate FILE | synthetic OCI_DIR FILE_COUNT [FILES_PER_DIRECTORY]");
    return 2;
}
