namespace Vigie.Core.Establishments;

/// <summary>
/// The establishments a person may see: their own establishment and everything under it.
/// People attached to the national centre see every establishment.
/// </summary>
public sealed class AccessScope
{
    private readonly HashSet<Guid>? _ids;

    private AccessScope(HashSet<Guid>? ids) => _ids = ids;

    public static AccessScope Everything { get; } = new(null);
    public static AccessScope Nothing { get; } = new([]);

    public static AccessScope Of(IEnumerable<Guid> ids) => new([.. ids]);

    public bool IsEverything => _ids is null;

    /// <summary>The establishment ids in scope; null when everything is.</summary>
    public IReadOnlyCollection<Guid>? Ids => _ids;

    public bool Contains(Guid? establishmentId) =>
        _ids is null || (establishmentId is { } id && _ids.Contains(id));

    /// <summary>Computes the subtree rooted at <paramref name="root"/> from the whole (small) establishment list.</summary>
    public static AccessScope Subtree(Guid root, IReadOnlyCollection<Establishment> all)
    {
        var rootEstablishment = all.FirstOrDefault(e => e.Id == root);
        if (rootEstablishment is null)
            return Nothing;
        if (rootEstablishment.Type == EstablishmentType.National)
            return Everything;
        var children = all.Where(e => e.ParentId is not null).ToLookup(e => e.ParentId!.Value);
        var ids = new HashSet<Guid>();
        var queue = new Queue<Guid>([root]);
        while (queue.TryDequeue(out var id))
        {
            if (!ids.Add(id))
                continue;
            foreach (var child in children[id])
                queue.Enqueue(child.Id);
        }
        return new AccessScope(ids);
    }
}
