using LayerLens.Analyzer.Dockerfiles.Shell;
using LayerLens.Analyzer.Optimisation.Dependencies;

namespace LayerLens.Analyzer.Optimisation.Rewrites;

/// <summary>
/// Rewrite 4: <c>COPY</c> followed by a RUN that only chowns (or chmods) exactly what it copied becomes
/// <c>COPY --chown</c> (<c>--chmod</c>): one layer instead of two copies of every byte. Only when nothing
/// earlier in the stage created the destination (chown -R would also change a pre-existing directory).
/// chmod qualifies for one copied file (any mode the file ends with), or recursively for a copied tree with
/// mode 0755 (see <see cref="IsDirectoryMode"/>).
/// </summary>
public static class CopyOwnership
{
    public static void Apply(RewritePlan plan)
    {
        foreach (var stage in plan.Stages)
        {
            for (var i = 1; i + 1 < stage.Count; i++)
            {
                var copy = stage[i];
                var run = stage[i + 1];
                if (copy.Copy is not { Files: { Count: > 0 } files, Destination: { } dest } || copy.Instruction is not { IsJson: false } instruction
                    || run.Instruction is not { IsJson: false, Flags.Count: 0 } || run.Commands is not [{ Redirects.Count: 0 } command])
                {
                    continue;
                }
                if (dest == "/" || ImagePaths.SystemRoots.Contains(dest) || stage.Take(i).Any(s => s.Effect.Writes.Any(w => w == PathAccess.Anything || PathAccess.IsAtOrBelow(w.Path, dest) || PathAccess.IsAtOrBelow(dest, w.Path) && w.Tree)))
                {
                    continue;
                }
                var operands = command.Words.Skip(1).Where(w => !w.Value.StartsWith('-')).ToList();
                var recursive = command.Words.Skip(1).Any(w => w.Value is "-R" or "--recursive");
                if (operands.Count != 2 || operands.Any(o => o.HasExpansion || o.HasGlob) || command.Words.Skip(1).Any(w => w.Value.StartsWith('-') && w.Value is not ("-R" or "--recursive")))
                {
                    continue;
                }
                var target = ImagePaths.Resolve(operands[1], run.Cwd);
                var singleFile = files.Count == 1 && files.ContainsKey(dest);
                string? flag = null;
                if (command.Name == "chown" && copy.Instruction.FlagValue("chown") is null
                    && (singleFile && target.Path == dest || recursive && target.Path == dest && !singleFile))
                {
                    flag = "--chown=" + operands[0].Value;
                }
                else if (command.Name == "chmod" && copy.Instruction.FlagValue("chmod") is null && singleFile && target.Path == dest
                    && plan.Context.Get(files[dest]) is { IsSymlink: false } source && NewMode(source.Mode, operands[0].Value) is { } mode)
                {
                    flag = "--chmod=" + Convert.ToString(mode, 8).PadLeft(4, '0');
                }
                else if (command.Name == "chmod" && copy.Instruction.FlagValue("chmod") is null && recursive && !singleFile && target.Path == dest
                    && IsDirectoryMode(operands[0].Value) && files.Values.All(f => plan.Context.Get(f) is { IsSymlink: false }))
                {
                    flag = "--chmod=0755";
                }
                if (flag is null)
                {
                    continue;
                }
                var at = RewritePlan.BodyOffset(copy.Block, instruction.KeywordRange.EndLine, instruction.KeywordRange.EndColumn);
                plan.Syntax.Replace(copy.Block, copy.Block.Body[..at] + " " + flag + copy.Block.Body[at..]);
                copy.Block.LeadingComments += run.Block.LeadingComments;
                plan.Syntax.Remove(run.Block);
                stage.RemoveAt(i + 1);
                plan.MergedFrom[copy] = [run];
                plan.Changes.Add(new OptimisationChange(command.Name == "chown" ? "copy-chown" : "copy-chmod", run.Line,
                    $"`{command.Name}` of the files copied at line {copy.Line} replaced by COPY {flag}: the separate RUN stored every copied byte a second time"));
            }
        }
    }

    /// <summary>
    /// <c>chmod -R MODE DEST</c> of a tree the COPY just created equals <c>COPY --chmod=MODE</c> only when MODE
    /// is 0755: --chmod sets every copied file and directory, but the destination directory itself is created
    /// 0755 by the builder and keeps that mode, while chmod -R changes it too (seen with buildah; BuildKit
    /// applies the mode to the copied entries). Symbolic modes depend on each file's mode and never qualify.
    /// </summary>
    private static bool IsDirectoryMode(string spec) =>
        spec.Length is >= 3 and <= 4 && spec.All(c => c is >= '0' and <= '7') && Convert.ToInt32(spec, 8) == 0x1ED;

    /// <summary>The file mode after a chmod argument (octal, or symbolic like +x, u+x, a+rx, go-w).</summary>
    public static int? NewMode(UnixFileMode current, string spec)
    {
        var mode = (int)current & 0xFFF;
        if (spec.Length is >= 3 and <= 4 && spec.All(c => c is >= '0' and <= '7'))
        {
            return Convert.ToInt32(spec, 8);
        }
        foreach (var clause in spec.Split(','))
        {
            var op = clause.IndexOfAny(['+', '-', '=']);
            if (op < 0 || clause[..op].Any(c => c is not ('u' or 'g' or 'o' or 'a')) || clause[(op + 1)..].Any(c => c is not ('r' or 'w' or 'x')) || clause.Length == op + 1)
            {
                return null;
            }
            var who = clause[..op];
            if (who.Length == 0)
            {
                // No "who": like "a" but filtered by the umask (022 in builds): +w only for the owner.
                who = "a";
            }
            var bits = 0;
            foreach (var p in clause[(op + 1)..])
            {
                bits |= p switch { 'r' => 4, 'w' => 2, _ => 1 };
            }
            var mask = 0;
            foreach (var w in who)
            {
                mask |= w switch { 'u' => bits << 6, 'g' => bits << 3, 'o' => bits, _ => bits << 6 | bits << 3 | bits };
            }
            if (clause[..op].Length == 0)
            {
                mask &= ~0x12;
            }
            mode = clause[op] switch
            {
                '+' => mode | mask,
                '-' => mode & ~mask,
                _ => mode & ~(who.Contains('a', StringComparison.Ordinal) ? 0x1FF : who.Sum(w => w switch { 'u' => 0x1C0, 'g' => 0x38, _ => 0x7 })) | mask,
            };
        }
        return mode;
    }
}
