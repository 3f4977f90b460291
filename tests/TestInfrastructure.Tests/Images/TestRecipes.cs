using LayerLens.TestInfrastructure.Images;

namespace LayerLens.TestInfrastructure.Tests.Images;

/// <summary>The images these tests build, with what we put in them so tests can check it came out.</summary>
internal static class TestRecipes
{
    public const string GreetingPath = "data/hello.txt";
    public const string Greeting = "hello from the layerlens test factory\n";
    public const string BuiltPath = "data/built.txt";
    public const string BuiltText = "made by a RUN step\n";

    /// <summary>busybox base (2 layers) + COPY (1 layer) + RUN (1 layer) + CMD (no layer): 4 layers.</summary>
    public const int LayerCount = 4;

    public static ImageRecipe Greeter { get; } = ImageRecipe.OnBusybox("greeter", $"""
        COPY hello.txt /{GreetingPath}
        RUN ["/bin/sh", "-c", "printf 'made by a RUN step\\n' > /{BuiltPath}"]
        CMD ["/bin/cat", "/{GreetingPath}"]
        """).WithFile("hello.txt", Greeting);
}
