using System.Linq.Expressions;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Data.Model;

namespace LayerLens.Web.Api;

/// <summary>
/// The list endpoint's <c>repository</c> filter as one SQL predicate over existing columns (no stored normalised
/// column): a registry analysis's reference is stored normalised at intake (<c>host/path:tag</c> or
/// <c>host/path@digest</c>, see <see cref="RegistryReference"/>), so its repository is a prefix; an upload is
/// matched by its display name and the archive image it was asked for, in any of the repository's spellings.
/// </summary>
public static class RepositoryFilter
{
    public static Expression<Func<Analysis, bool>> Matching(ImageRepository repository)
    {
        var registry = RegistryRows(repository);
        var named = NameMatches(repository);
        var upload = Or(On(named, a => a.SourceReference.ToLower()), On(named, a => a.Name!.ToLower()), On(named, a => a.ArchiveImage!.ToLower()));
        return Or(
            And(a => a.SourceKind == SourceKind.Registry, On(registry, a => a.SourceReference.ToLower())),
            And(a => a.SourceKind == SourceKind.Upload, upload));
    }

    // A stored registry reference always starts with its host, then the path, then ':' or '@'.
    private static Expression<Func<string, bool>> RegistryRows(ImageRepository repository)
    {
        var exact = $"{repository.Host}/{repository.Path}";
        var exactTagged = exact + ":";
        var exactDigest = exact + "@";
        if (repository.HostGiven)
        {
            return r => r.StartsWith(exactTagged) || r.StartsWith(exactDigest);
        }
        var anyTagged = repository.TypedPath + ":";
        var anyDigest = repository.TypedPath + "@";
        return r => r.StartsWith(exactTagged) || r.StartsWith(exactDigest)
            || r.Substring(r.IndexOf("/") + 1).StartsWith(anyTagged) || r.Substring(r.IndexOf("/") + 1).StartsWith(anyDigest);
    }

    // A free-form image name: one of the spellings, bare or with a tag or digest; without a host in the filter,
    // also the typed path behind any name whose first component is a registry host.
    private static Expression<Func<string, bool>> NameMatches(ImageRepository repository)
    {
        Expression<Func<string, bool>> test = n => false;
        foreach (var spelling in repository.Spellings())
        {
            var tagged = spelling + ":";
            var digest = spelling + "@";
            test = Or(test, n => n == spelling || n.StartsWith(tagged) || n.StartsWith(digest));
        }
        if (!repository.HostGiven)
        {
            var typed = repository.TypedPath;
            var tagged = typed + ":";
            var digest = typed + "@";
            test = Or(test, n => n.Contains("/")
                && (n.Substring(0, n.IndexOf("/")).Contains(".") || n.Substring(0, n.IndexOf("/")).Contains(":") || n.Substring(0, n.IndexOf("/")) == "localhost")
                && (n.Substring(n.IndexOf("/") + 1) == typed || n.Substring(n.IndexOf("/") + 1).StartsWith(tagged) || n.Substring(n.IndexOf("/") + 1).StartsWith(digest)));
        }
        return test;
    }

    private static Expression<Func<Analysis, bool>> On(Expression<Func<string, bool>> test, Expression<Func<Analysis, string>> column)
    {
        var body = new Replace(test.Parameters[0], column.Body).Visit(test.Body);
        var notNull = Expression.NotEqual(column.Body, Expression.Constant(null, typeof(string)));
        return Expression.Lambda<Func<Analysis, bool>>(Expression.AndAlso(notNull, body), column.Parameters[0]);
    }

    private static Expression<Func<T, bool>> Or<T>(params Expression<Func<T, bool>>[] parts) =>
        parts.Aggregate((left, right) => Combine(left, right, Expression.OrElse));

    private static Expression<Func<T, bool>> And<T>(Expression<Func<T, bool>> left, Expression<Func<T, bool>> right) =>
        Combine(left, right, Expression.AndAlso);

    private static Expression<Func<T, bool>> Combine<T>(Expression<Func<T, bool>> left, Expression<Func<T, bool>> right, Func<Expression, Expression, BinaryExpression> join)
    {
        var parameter = left.Parameters[0];
        var rightBody = new Replace(right.Parameters[0], parameter).Visit(right.Body);
        return Expression.Lambda<Func<T, bool>>(join(left.Body, rightBody), parameter);
    }

    private sealed class Replace(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
