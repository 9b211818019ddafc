using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// All objects of the test double, keyed by (resource, namespace, name), with the write semantics of the API
/// server: resourceVersion (one global counter, bumped only on a real change), generation, status isolation,
/// managedFields and server-side apply. Every public member must be called under <see cref="Gate"/>.
/// </summary>
internal sealed class ObjectStore(TimeProvider time)
{
    private const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private readonly Dictionary<ObjectKey, StoredObject> _objects = [];
    private readonly Random _random = new(5);
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<string> _collectOwners = new(StringComparer.Ordinal);
    private bool _collectionScheduled;
    private bool _terminating;
    private readonly ObjectDefaults _defaults = new();
    private long _resourceVersion = 100;
    private long _uids;

    public Lock Gate { get; } = new();

    public WatchHub Watches { get; } = new();

    public long ResourceVersion => _resourceVersion;

    /// <summary>
    /// True while a request from an API client is applied (set by the HTTP handler under the lock): only
    /// those get <see cref="SpecValidation"/>; Seed and the simulated controllers store what they are given.
    /// </summary>
    public bool ValidatingClientWrite { get; set; }

    /// <summary>
    /// Admission of the API client's write in progress (set by the handler under the lock, with
    /// <see cref="ValidatingClientWrite"/>): given the stored object (null on create) and the candidate, answers the
    /// object to store or throws the refusal. Null: no admission beyond the built-in rules.
    /// </summary>
    public Func<JsonObject?, JsonObject, JsonObject>? AdmitClientWrite { get; set; }

    /// <summary>Raised under the lock after every change (type, ADDED|MODIFIED|DELETED, object).</summary>
    public event Action<ResourceType, string, JsonObject>? Changed;

    public StoredObject? Find(ResourceType type, string? @namespace, string name) =>
        _objects.GetValueOrDefault(new ObjectKey(type.FullName, type.Namespaced ? @namespace ?? "" : "", name));

    public StoredObject Require(ResourceType type, string? @namespace, string name) =>
        Find(type, @namespace, name) ?? throw ApiException.NotFound(type, name);

    public bool NamespaceExists(string @namespace) => Find(ResourceCatalog.Namespaces, null, @namespace) is not null;

    public List<JsonObject> List(ResourceType type, string? @namespace, LabelSelector? labels = null, FieldSelector? fields = null) =>
        _objects.Values
            .Where(o => o.Type == type && (@namespace is null || o.Namespace == @namespace))
            .Where(o => labels is null || labels.Matches(o.Object))
            .Where(o => fields is null || fields.Matches(o.Object))
            .OrderBy(o => o.Namespace, StringComparer.Ordinal)
            .ThenBy(o => o.Name, StringComparer.Ordinal)
            .Select(o => (JsonObject)o.Object.DeepClone())
            .ToList();

    public string RandomSuffix(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = GenerateNameAlphabet[_random.Next(GenerateNameAlphabet.Length)];
        }

        return new string(chars);
    }

    public string Now() => time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public JsonObject Create(ResourceType type, string? @namespace, JsonObject body, string? manager, bool keepStatus)
    {
        var obj = (JsonObject)body.DeepClone();
        CheckIdentity(type, obj);
        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
        var metadata = Metadata(obj);
        var name = metadata["name"]?.ToString();
        if (string.IsNullOrEmpty(name))
        {
            var generateName = metadata["generateName"]?.ToString();
            if (string.IsNullOrEmpty(generateName))
            {
                throw ApiException.Invalid(type, "", "metadata.name", "Required value: name or generateName is required");
            }

            name = generateName + RandomSuffix(5);
            metadata["name"] = name;
        }

        ObjectNames.Validate(type, obj, name);
        PlaceInNamespace(type, @namespace, metadata);
        if (Find(type, @namespace, name) is { } taken)
        {
            throw ApiException.AlreadyExists(type, name, beingDeleted: taken.Object["metadata"]?["deletionTimestamp"] is not null);
        }

        RefuseInTerminatingNamespace(type, @namespace, name);
        AddClaimProtection(type, obj);

        if (!keepStatus)
        {
            obj.Remove("status");
        }

        var managers = new List<ManagedFieldsEntry>();
        if (manager is not null)
        {
            managers.Add(new ManagedFieldsEntry(manager, ManagedFieldsEntry.Update, type.ApiVersion, Now(), FieldPaths.Collect(obj, KubernetesSchema.For(type))));
        }

        if (type == ResourceCatalog.Namespaces)
        {
            Labels(obj)["kubernetes.io/metadata.name"] = name;
            obj["spec"] ??= new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
            obj["status"] ??= new JsonObject { ["phase"] = "Active" };
        }

        return Commit(type, null, obj, managers, manager);
    }

    public JsonObject Replace(ResourceType type, string? @namespace, string name, JsonObject body, string? manager, bool statusOnly)
    {
        var existing = Require(type, @namespace, name);
        CheckIdentity(type, body);
        CheckName(body, name);
        CheckResourceVersion(type, existing, body);
        JsonObject candidate;
        List<ManagedFieldsEntry> managers;
        if (statusOnly)
        {
            candidate = (JsonObject)existing.Object.DeepClone();
            SetOrRemove(candidate, "status", body["status"]);
            managers = existing.CloneManagers();
        }
        else
        {
            candidate = (JsonObject)body.DeepClone();
            candidate["apiVersion"] = type.ApiVersion;
            candidate["kind"] = type.Kind;
            var metadata = Metadata(candidate);
            metadata["name"] = name;
            PlaceInNamespace(type, @namespace, metadata);
            ObjectNames.Validate(type, candidate, name);
            SetOrRemove(candidate, "status", existing.Object["status"]);
            managers = UpdateOwnership(existing, candidate, manager, type.ApiVersion);
        }

        return Commit(type, existing, candidate, managers, manager);
    }

    public JsonObject MergePatch(ResourceType type, string? @namespace, string name, JsonObject patch, string? manager, bool statusOnly)
    {
        var existing = Require(type, @namespace, name);
        CheckResourceVersion(type, existing, patch);
        return Patched(type, existing, name, (JsonObject)JsonMerge.MergePatch(existing.Object, patch)!, manager, statusOnly);
    }

    public JsonObject JsonPatch(ResourceType type, string? @namespace, string name, JsonArray operations, string? manager, bool statusOnly)
    {
        var existing = Require(type, @namespace, name);
        var patched = ApiDouble.JsonPatch.Apply(existing.Object, operations);
        if (patched["metadata"]?["resourceVersion"]?.ToString() is { Length: > 0 } precondition && precondition != existing.ResourceVersion)
        {
            throw ApiException.StaleResourceVersion(type, name);
        }

        return Patched(type, existing, name, patched, manager, statusOnly);
    }

    private JsonObject Patched(ResourceType type, StoredObject existing, string name, JsonObject merged, string? manager, bool statusOnly)
    {
        JsonObject candidate;
        List<ManagedFieldsEntry> managers;
        if (statusOnly)
        {
            candidate = (JsonObject)existing.Object.DeepClone();
            SetOrRemove(candidate, "status", merged["status"]);
            managers = existing.CloneManagers();
        }
        else
        {
            candidate = merged;
            RestoreServerFields(type, existing.Object, candidate);
            ObjectNames.Validate(type, candidate, name);
            SetOrRemove(candidate, "status", existing.Object["status"]);
            managers = UpdateOwnership(existing, candidate, manager, type.ApiVersion);
        }

        return Commit(type, existing, candidate, managers, manager);
    }

    /// <summary>
    /// Server-side apply: the applier owns exactly the fields it sends; fields owned by another manager with a
    /// different value conflict unless forced (then ownership moves); fields the applier sent before and now
    /// omits are removed unless someone else owns them. Lists merge as the schema says: items of keyed lists
    /// (containers by name, ports by port/protocol, ...) are matched and owned by key, set members one by one,
    /// other lists whole (structured-merge-diff's merge of associative lists).
    /// </summary>
    public JsonObject Apply(ResourceType type, string? @namespace, string name, JsonObject applied, string manager, bool force, bool statusOnly)
    {
        var apiVersion = applied["apiVersion"]?.ToString();
        var kind = applied["kind"]?.ToString();
        if (apiVersion != type.ApiVersion || kind != type.Kind)
        {
            throw ApiException.BadRequest(
                $"the apiVersion/kind of the applied object ({apiVersion}/{kind}) does not match the request ({type.ApiVersion}, Kind={type.Kind})");
        }

        var appliedName = applied["metadata"]?["name"]?.ToString();
        if (appliedName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({appliedName}) does not match the name on the URL ({name})");
        }

        var appliedNamespace = applied["metadata"]?["namespace"]?.ToString();
        if (type.Namespaced && appliedNamespace is not null && appliedNamespace != @namespace)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        var existing = Find(type, @namespace, name);
        if (existing is not null)
        {
            CheckResourceVersion(type, existing, applied);
        }

        if (existing is null && type.Namespaced && !NamespaceExists(@namespace!))
        {
            throw ApiException.NamespaceNotFound(@namespace!);
        }

        if (existing is null && !statusOnly)
        {
            RefuseInTerminatingNamespace(type, @namespace, name);
        }

        if (statusOnly)
        {
            var target = existing ?? throw ApiException.NotFound(type, name);
            var withStatus = (JsonObject)target.Object.DeepClone();
            var status = withStatus["status"] as JsonObject ?? new JsonObject();
            if (applied["status"] is JsonObject appliedStatus)
            {
                JsonMerge.ApplyInto(status, appliedStatus, KubernetesSchema.For(type)?.Field("status"));
            }

            withStatus["status"] = status;
            return Commit(type, target, withStatus, target.CloneManagers(), manager);
        }

        var candidate = existing is null
            ? new JsonObject { ["apiVersion"] = type.ApiVersion, ["kind"] = type.Kind, ["metadata"] = new JsonObject { ["name"] = name } }
            : (JsonObject)existing.Object.DeepClone();
        if (existing is null)
        {
            PlaceInNamespace(type, @namespace, Metadata(candidate));
            AddClaimProtection(type, candidate);
        }

        var schema = KubernetesSchema.For(type);
        var sent = (JsonObject)applied.DeepClone();
        sent.Remove("status");
        if (FieldPaths.Duplicates(sent, schema) is { Count: > 0 } duplicates)
        {
            throw ApiException.TypedPatchFailed(type, @namespace, name, duplicates);
        }

        var managers = existing?.CloneManagers() ?? [];
        var owned = FieldPaths.Collect(sent, schema);

        var conflicts = new List<(ManagedFieldsEntry Owner, string Path)>();
        foreach (var other in managers.Where(m => m.Manager != manager))
        {
            // An item or set member is owned for its existence: equal by key, it never conflicts; its fields may.
            foreach (var path in owned.Where(p => other.Fields.Contains(p) && !FieldPaths.IsItem(p)))
            {
                if (!JsonNode.DeepEquals(FieldPaths.GetValue(candidate, path), FieldPaths.GetValue(sent, path)))
                {
                    conflicts.Add((other, path));
                }
            }
        }

        if (conflicts.Count > 0 && !force)
        {
            throw ApplyConflicts.ToException(type, name, conflicts);
        }

        foreach (var (owner, path) in conflicts)
        {
            owner.Fields.Remove(path);
        }

        var entry = managers.FirstOrDefault(m => m.Manager == manager && m.Operation == ManagedFieldsEntry.Apply);
        if (entry is not null)
        {
            foreach (var dropped in entry.Fields.Where(p => !owned.Contains(p)).ToList())
            {
                // An item stays while another manager owns it or anything in it.
                var inside = dropped + FieldPaths.Separator;
                var ownedByOthers = managers.Any(m => m != entry && (m.Fields.Contains(dropped) || (FieldPaths.IsItem(dropped) && m.Fields.Any(f => f.StartsWith(inside, StringComparison.Ordinal)))));
                if (!ownedByOthers)
                {
                    FieldPaths.Remove(candidate, dropped, parent => owned.Contains(parent) || managers.Any(m => m.Fields.Contains(parent)));
                }
            }
        }
        else
        {
            entry = new ManagedFieldsEntry(manager, ManagedFieldsEntry.Apply, type.ApiVersion, Now(), []);
            managers.Add(entry);
        }

        entry.Fields = owned;
        entry.ApiVersion = type.ApiVersion;
        JsonMerge.ApplyInto(candidate, sent, schema);
        RestoreServerFields(type, existing?.Object, candidate);
        ObjectNames.Validate(type, candidate, name);
        return Commit(type, existing, candidate, managers, manager);
    }

    /// <summary>
    /// DELETE as the real server does it: an object with finalizers (or a Namespace) only gets a
    /// deletionTimestamp and stays, Terminating, until its finalizers are gone; otherwise it goes now. Dependents
    /// go at once, except a Job's pods: with Background propagation the collector deletes them a moment later,
    /// with Orphan (or none: batch/v1 defaults to orphaning) they stay and lose their owner reference.
    /// </summary>
    public (JsonObject Object, bool Deleted) Delete(ResourceType type, string? @namespace, string name, string? propagation = Foreground)
    {
        var existing = Require(type, @namespace, name);
        if (type == ResourceCatalog.Namespaces || Finalizers(existing.Object).Count > 0)
        {
            return (Terminate(existing), false);
        }

        if (type == ResourceCatalog.Jobs && propagation != Foreground)
        {
            if (propagation == "Background")
            {
                _collectOwners.Add(existing.Uid);
                ScheduleCollection();
            }
            else
            {
                Orphan(existing);
            }

            return (Remove(existing, dependents: false), true);
        }

        return (Remove(existing), true);
    }

    public const string Foreground = "Foreground";

    public const string PvcProtection = "kubernetes.io/pvc-protection";

    /// <summary>How long after a deletion the simulated garbage collector, namespace and pvc-protection controllers act.</summary>
    public TimeSpan CollectorDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>True while a collector pass is scheduled (a deletion is still under way).</summary>
    public bool CollectionPending => _collectionScheduled;

    public bool NamespaceTerminating(string @namespace) =>
        Find(ResourceCatalog.Namespaces, null, @namespace)?.Object["metadata"]?["deletionTimestamp"] is not null;

    public void CollectNow()
    {
        _collectionScheduled = false;
        Collect();
    }

    /// <summary>Stops scheduling collector passes (the double is being disposed).</summary>
    public void Stop() => _stopping.Cancel();

    private JsonObject Terminate(StoredObject existing)
    {
        if (existing.Object["metadata"]?["deletionTimestamp"] is not null)
        {
            return (JsonObject)existing.Object.DeepClone();
        }

        var candidate = (JsonObject)existing.Object.DeepClone();
        var metadata = Metadata(candidate);
        metadata["deletionTimestamp"] = Now();
        metadata["deletionGracePeriodSeconds"] = 0;
        if (existing.Type == ResourceCatalog.Namespaces)
        {
            candidate["status"] = new JsonObject { ["phase"] = "Terminating" };
        }

        _terminating = true;
        try
        {
            var answer = Commit(existing.Type, existing, candidate, existing.CloneManagers(), null);
            ScheduleCollection();
            return answer;
        }
        finally
        {
            _terminating = false;
        }
    }

    private void Orphan(StoredObject owner)
    {
        foreach (var dependent in _objects.Values.Where(o => o.Namespace == owner.Namespace && IsOwnedBy(o.Object, owner.Uid)).ToList())
        {
            var candidate = (JsonObject)dependent.Object.DeepClone();
            var owners = (JsonArray)Metadata(candidate)["ownerReferences"]!;
            foreach (var reference in owners.Where(o => o?["uid"]?.ToString() == owner.Uid).ToList())
            {
                owners.Remove(reference);
            }

            if (owners.Count == 0)
            {
                Metadata(candidate).Remove("ownerReferences");
            }

            Commit(dependent.Type, dependent, candidate, dependent.CloneManagers(), null);
        }
    }

    private void ScheduleCollection()
    {
        if (_collectionScheduled || _stopping.IsCancellationRequested)
        {
            return;
        }

        _collectionScheduled = true;
        _ = CollectLaterAsync();
    }

    private async Task CollectLaterAsync()
    {
        try
        {
            await Task.Delay(CollectorDelay, time, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (Gate)
        {
            _collectionScheduled = false;
            Collect();
        }
    }

    /// <summary>
    /// One pass of the garbage collector (dependents of owners deleted in the background), the namespace
    /// controller (a Terminating namespace's contents, then the namespace) and the pvc-protection controller
    /// (a Terminating claim no pod uses loses its finalizer, so it goes).
    /// </summary>
    private void Collect()
    {
        foreach (var dependent in _objects.Values.Where(o => OwnerUids(o.Object).Any(_collectOwners.Contains)).ToList())
        {
            if (_objects.ContainsKey(Key(dependent)))
            {
                Remove(dependent);
            }
        }

        _collectOwners.RemoveWhere(uid => !_objects.Values.Any(o => OwnerUids(o.Object).Contains(uid)));
        foreach (var ns in _objects.Values.Where(o => o.Type == ResourceCatalog.Namespaces && o.Object["metadata"]?["deletionTimestamp"] is not null).ToList())
        {
            foreach (var content in _objects.Values.Where(o => o.Type.Namespaced && o.Namespace == ns.Name).ToList())
            {
                if (_objects.ContainsKey(Key(content)))
                {
                    Remove(content);
                }
            }

            // The namespace controller finalizes spec.finalizers only; the namespace goes when its metadata.finalizers are
            // gone too (pkg/registry/core/namespace/storage/storage.go ShouldDeleteNamespaceDuringUpdate).
            if (!_objects.Values.Any(o => o.Type.Namespaced && o.Namespace == ns.Name) && Finalizers(ns.Object).Count == 0)
            {
                Remove(ns);
            }
        }

        foreach (var claim in _objects.Values.Where(o => o.Type == ResourceCatalog.Claims && o.Object["metadata"]?["deletionTimestamp"] is not null
                     && Finalizers(o.Object).Contains(PvcProtection) && !ClaimInUse(o)).ToList())
        {
            var candidate = (JsonObject)claim.Object.DeepClone();
            var finalizers = (JsonArray)Metadata(candidate)["finalizers"]!;
            finalizers.Remove(finalizers.First(f => f?.ToString() == PvcProtection));
            Commit(claim.Type, claim, candidate, claim.CloneManagers(), null);
        }
    }

    private bool ClaimInUse(StoredObject claim) =>
        _objects.Values.Any(o => o.Type == ResourceCatalog.Pods && o.Namespace == claim.Namespace
            && o.Object["status"]?["phase"]?.ToString() is not ("Succeeded" or "Failed")
            && (o.Object["spec"]?["volumes"] as JsonArray ?? []).Any(v => v?["persistentVolumeClaim"]?["claimName"]?.ToString() == claim.Name));

    private static List<string> Finalizers(JsonObject obj) =>
        (obj["metadata"]?["finalizers"] as JsonArray)?.Select(f => f?.ToString() ?? "").ToList() ?? [];

    private static IEnumerable<string> OwnerUids(JsonObject obj) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray)?.Select(o => o?["uid"]?.ToString() ?? "") ?? [];

    public void ReplaceStatus(ResourceType type, string? @namespace, string name, JsonNode? status)
    {
        var existing = Require(type, @namespace, name);
        var candidate = (JsonObject)existing.Object.DeepClone();
        SetOrRemove(candidate, "status", status);
        Commit(type, existing, candidate, existing.CloneManagers(), null);
    }

    public void CompactHistory() => Watches.Compact(_resourceVersion);

    private JsonObject Remove(StoredObject existing, bool dependents = true)
    {
        _objects.Remove(Key(existing));
        var gone = (JsonObject)existing.Object.DeepClone();
        var resourceVersion = ++_resourceVersion;
        Metadata(gone)["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture);
        Watches.Publish(existing.Type, "DELETED", gone, resourceVersion, null);
        Changed?.Invoke(existing.Type, "DELETED", gone);

        // A pod that goes may release a Terminating claim (pvc-protection controller).
        if (existing.Type == ResourceCatalog.Pods && _objects.Values.Any(o => o.Type == ResourceCatalog.Claims && o.Object["metadata"]?["deletionTimestamp"] is not null))
        {
            ScheduleCollection();
        }

        if (!dependents)
        {
            return gone;
        }

        // Like the garbage collector with foreground propagation, but at once: dependents go too.
        var owned = existing.Type == ResourceCatalog.Namespaces
            ? _objects.Values.Where(o => o.Namespace == existing.Name).ToList()
            : _objects.Values.Where(o => o.Namespace == existing.Namespace && IsOwnedBy(o.Object, existing.Uid)).ToList();
        foreach (var dependent in owned)
        {
            if (_objects.ContainsKey(Key(dependent)))
            {
                Remove(dependent);
            }
        }

        return gone;
    }

    private static bool IsOwnedBy(JsonObject obj, string uid) =>
        obj["metadata"]?["ownerReferences"] is JsonArray owners && owners.Any(o => o?["uid"]?.ToString() == uid);

    private JsonObject Commit(ResourceType type, StoredObject? existing, JsonObject candidate, List<ManagedFieldsEntry> managers, string? actingManager)
    {
        if (ValidatingClientWrite && !_terminating && AdmitClientWrite is { } admit)
        {
            candidate = admit(existing?.Object, candidate);
        }

        var metadata = Metadata(candidate);
        _defaults.Apply(type, candidate, existing?.Object);
        if (ValidatingClientWrite)
        {
            SpecValidation.Check(type, candidate, existing?.Object);
            CheckClaimResize(type, candidate, existing?.Object);
        }

        managers.RemoveAll(m => m.Fields.Count == 0);
        if (existing is not null)
        {
            var old = Metadata(existing.Object);
            metadata["uid"] = old["uid"]?.DeepClone();
            metadata["creationTimestamp"] = old["creationTimestamp"]?.DeepClone();
            metadata["resourceVersion"] = old["resourceVersion"]?.DeepClone();
            var generation = old["generation"] is JsonValue value ? long.Parse(value.ToJsonString(), CultureInfo.InvariantCulture) : 1;
            // The registry also bumps generation when it sets deletionTimestamp (rest.BeforeDelete).
            metadata["generation"] = SpecChanged(existing.Object, candidate) || _terminating ? generation + 1 : generation;
            metadata["managedFields"] = old["managedFields"]?.DeepClone();
            if (!_terminating)
            {
                // deletionTimestamp is the server's; once set, no client write changes it or adds finalizers.
                metadata["deletionTimestamp"] = old["deletionTimestamp"]?.DeepClone();
                metadata["deletionGracePeriodSeconds"] = old["deletionGracePeriodSeconds"]?.DeepClone();
                if (metadata["deletionTimestamp"] is null)
                {
                    metadata.Remove("deletionTimestamp");
                    metadata.Remove("deletionGracePeriodSeconds");
                }
                else if (ValidatingClientWrite && Finalizers(candidate).Except(Finalizers(existing.Object)).Order(StringComparer.Ordinal).ToList() is { Count: > 0 } added)
                {
                    throw ApiException.Invalid(type, existing.Name, "metadata.finalizers",
                        $"Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers {GoValue.Strings(added)}");
                }
            }

            var sameOwnership = managers.Count == existing.Managers.Count && managers.Zip(existing.Managers).All(p => p.First.SameOwnership(p.Second));
            if (sameOwnership && JsonNode.DeepEquals(candidate, existing.Object))
            {
                return (JsonObject)existing.Object.DeepClone();
            }
        }
        else
        {
            metadata["uid"] = NewUid();
            metadata["creationTimestamp"] = Now();
            metadata["generation"] = 1;
        }

        var now = Now();
        foreach (var entry in managers.Where(m => m.Manager == actingManager))
        {
            entry.Time = now;
        }

        if (managers.Count > 0)
        {
            metadata["managedFields"] = new JsonArray(managers.Select(m => (JsonNode)m.ToJson()).ToArray());
        }
        else
        {
            metadata.Remove("managedFields");
        }

        var resourceVersion = ++_resourceVersion;
        metadata["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture);
        var stored = new StoredObject(type, candidate, managers);
        _objects[Key(stored)] = stored;
        var eventType = existing is null ? "ADDED" : "MODIFIED";
        Watches.Publish(type, eventType, candidate, resourceVersion, existing?.Object);
        Changed?.Invoke(type, eventType, candidate);
        var answer = (JsonObject)candidate.DeepClone();
        if (metadata["deletionTimestamp"] is not null && Finalizers(candidate).Count == 0 && type != ResourceCatalog.Namespaces)
        {
            // The last finalizer is gone: the object goes (the write still answers the object).
            Remove(stored);
        }

        return answer;
    }

    /// <summary>NamespaceLifecycle admission: nothing new in a namespace that is being terminated (API clients only).</summary>
    private void RefuseInTerminatingNamespace(ResourceType type, string? @namespace, string name)
    {
        if (ValidatingClientWrite && type.Namespaced && @namespace is not null && NamespaceTerminating(@namespace))
        {
            throw ApiException.AdmissionForbidden(type, name, $"unable to create new content in namespace {@namespace} because it is being terminated");
        }
    }

    /// <summary>StorageObjectInUseProtection admission: a claim created by an API client gets the pvc-protection finalizer.</summary>
    private void AddClaimProtection(ResourceType type, JsonObject obj)
    {
        if (!ValidatingClientWrite || type != ResourceCatalog.Claims)
        {
            return;
        }

        var metadata = Metadata(obj);
        if (metadata["finalizers"] is not JsonArray finalizers)
        {
            finalizers = new JsonArray();
            metadata["finalizers"] = finalizers;
        }

        if (!finalizers.Any(f => f?.ToString() == PvcProtection))
        {
            finalizers.Add(PvcProtection);
        }
    }

    /// <summary>
    /// The PersistentVolumeClaimResize admission plugin (plugin/pkg/admission/storage/persistentvolume/resize,
    /// v1.31): a storage increase needs a bound claim whose StorageClass sets allowVolumeExpansion.
    /// </summary>
    private void CheckClaimResize(ResourceType type, JsonObject candidate, JsonObject? existing)
    {
        if (type != ResourceCatalog.Claims || existing is null
            || Quantity.Parse(candidate["spec"]?["resources"]?["requests"]?["storage"]?.ToString())
                <= Quantity.Parse(existing["spec"]?["resources"]?["requests"]?["storage"]?.ToString()))
        {
            return;
        }

        var name = candidate["metadata"]?["name"]?.ToString() ?? "";
        if (existing["status"]?["phase"]?.ToString() != "Bound")
        {
            throw ApiException.AdmissionForbidden(type, name, "Only bound persistent volume claims can be expanded");
        }

        var storageClass = candidate["spec"]?["storageClassName"]?.ToString();
        var expandable = !string.IsNullOrEmpty(storageClass) && storageClass == existing["spec"]?["storageClassName"]?.ToString()
            && Find(ResourceCatalog.StorageClasses, null, storageClass)?.Object["allowVolumeExpansion"] is JsonValue allow
            && allow.GetValueKind() == System.Text.Json.JsonValueKind.True;
        if (!expandable)
        {
            throw ApiException.AdmissionForbidden(type, name,
                "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize");
        }
    }

    /// <summary>Update/patch ownership: the writer takes the fields it changed; fields that are gone are owned by no one.</summary>
    private List<ManagedFieldsEntry> UpdateOwnership(StoredObject existing, JsonObject candidate, string? manager, string apiVersion)
    {
        var managers = existing.CloneManagers();
        var schema = KubernetesSchema.For(existing.Type);
        var before = FieldPaths.Collect(existing.Object, schema);
        var after = FieldPaths.Collect(candidate, schema);
        var changed = after.Where(p => !before.Contains(p)
                || (!FieldPaths.IsItem(p) && !JsonNode.DeepEquals(FieldPaths.GetValue(existing.Object, p), FieldPaths.GetValue(candidate, p))))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var entry in managers)
        {
            entry.Fields.RemoveWhere(p => !after.Contains(p) || (changed.Contains(p) && entry.Manager != manager));
        }

        if (manager is not null && changed.Count > 0)
        {
            var mine = managers.FirstOrDefault(m => m.Manager == manager && m.Operation == ManagedFieldsEntry.Update);
            if (mine is null)
            {
                mine = new ManagedFieldsEntry(manager, ManagedFieldsEntry.Update, apiVersion, Now(), []);
                managers.Add(mine);
            }

            mine.Fields.UnionWith(changed);
        }

        return managers;
    }

    private static bool SpecChanged(JsonObject before, JsonObject after)
    {
        static JsonObject WithoutMetadataAndStatus(JsonObject obj)
        {
            var copy = (JsonObject)obj.DeepClone();
            copy.Remove("metadata");
            copy.Remove("status");
            return copy;
        }

        return !JsonNode.DeepEquals(WithoutMetadataAndStatus(before), WithoutMetadataAndStatus(after));
    }

    private void PlaceInNamespace(ResourceType type, string? @namespace, JsonObject metadata)
    {
        if (!type.Namespaced)
        {
            metadata.Remove("namespace");
            return;
        }

        var declared = metadata["namespace"]?.ToString();
        if (declared is not null && declared != @namespace)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        if (!NamespaceExists(@namespace!))
        {
            throw ApiException.NamespaceNotFound(@namespace!);
        }

        metadata["namespace"] = @namespace;
    }

    private static void RestoreServerFields(ResourceType type, JsonObject? existing, JsonObject candidate)
    {
        candidate["apiVersion"] = type.ApiVersion;
        candidate["kind"] = type.Kind;
        if (existing is null)
        {
            return;
        }

        var metadata = Metadata(candidate);
        var old = Metadata(existing);
        foreach (var key in new[] { "name", "namespace", "uid", "creationTimestamp", "resourceVersion", "generation", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds" })
        {
            SetOrRemove(metadata, key, old[key]);
        }
    }

    private static void CheckIdentity(ResourceType type, JsonObject body)
    {
        var apiVersion = body["apiVersion"]?.ToString();
        var kind = body["kind"]?.ToString();
        if ((apiVersion is not null && apiVersion != type.ApiVersion) || (kind is not null && kind != type.Kind))
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion}) or kind {kind} is not {type.Kind}");
        }
    }

    private static void CheckName(JsonObject body, string name)
    {
        var bodyName = body["metadata"]?["name"]?.ToString();
        if (bodyName is not null && bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }
    }

    private static void CheckResourceVersion(ResourceType type, StoredObject existing, JsonObject body)
    {
        var precondition = body["metadata"]?["resourceVersion"]?.ToString();
        if (!string.IsNullOrEmpty(precondition) && precondition != existing.ResourceVersion)
        {
            throw ApiException.StaleResourceVersion(type, existing.Name);
        }
    }

    private string NewUid() => $"00000000-0000-4000-8000-{++_uids:x12}";

    private static ObjectKey Key(StoredObject stored) => new(stored.Type.FullName, stored.Namespace, stored.Name);

    private static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            obj["metadata"] = metadata;
        }

        return metadata;
    }

    private static JsonObject Labels(JsonObject obj)
    {
        var metadata = Metadata(obj);
        if (metadata["labels"] is not JsonObject labels)
        {
            labels = new JsonObject();
            metadata["labels"] = labels;
        }

        return labels;
    }

    private static void SetOrRemove(JsonObject target, string key, JsonNode? value)
    {
        if (value is null)
        {
            target.Remove(key);
        }
        else
        {
            target[key] = value.DeepClone();
        }
    }
}
