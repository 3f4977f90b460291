using LayerLens.Analyzer.Benchmarks;

return args switch
{
    ["gunzip-baseline", var layout] => await GunzipBaseline.RunAsync(layout),
    ["synthetic", var layout, var files] => await SyntheticImage.WriteAsync(layout, int.Parse(files, System.Globalization.CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: gunzip-baseline OCI_DIR | synthetic OCI_DIR FILE_COUNT");
    return 2;
}
