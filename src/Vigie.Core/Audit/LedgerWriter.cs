using System.Data;
using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigie.Core.Data;

namespace Vigie.Core.Audit;

/// <summary>
/// Appends entries to the ledger through one background writer per process: callers queue an entry and wait until
/// it is committed. Each batch takes the store's write lock (BEGIN IMMEDIATE on SQLite, an advisory lock on
/// PostgreSQL), reads the chain's head, and hashes its entries one after the other, so that several processes or
/// nodes still build one deterministic chain. A checkpoint is signed every <see cref="CheckpointInterval"/> entries
/// and whenever the writer has been idle for <see cref="CheckpointDelay"/> with unsigned entries.
/// <para>
/// By default every caller waits for its entry's commit. With <see cref="QueuedLimit"/> above zero, a caller that
/// allows it (reads: nothing changes in the record) is answered once its entry is queued, up to that many entries
/// not yet committed; past the limit, or while a commit is failing, callers wait again. Queued entries whose commit
/// fails are kept and committed again, first in the chain, every <see cref="RetryDelay"/>.
/// </para>
/// </summary>
public sealed partial class LedgerWriter : IAsyncDisposable
{
    /// <summary>The PostgreSQL advisory lock every batch takes ("VLEDG").</summary>
    public const long AdvisoryLockKey = 0x56_4C_45_44_47;
    private const int MaxBatch = 512;

    private readonly IServiceScopeFactory _scopes;
    private readonly LedgerSigner _signer;
    private readonly TimeProvider _clock;
    private readonly ILogger<LedgerWriter> _logger;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _startLock = new();
    private readonly SemaphoreSlim _commitLock = new(1, 1);
    private Task? _loop;
    private bool _unsigned;
    private Session? _session;

    /// <summary>Queued entries already answered whose commit failed; committed again first (the loop's own).</summary>
    private readonly List<Pending> _retry = [];
    private volatile bool _failing;
    private int _queued;
    private int _waiting;

    public LedgerWriter(IServiceScopeFactory scopes, LedgerSigner signer, TimeProvider clock, ILogger<LedgerWriter> logger)
    {
        _scopes = scopes;
        _signer = signer;
        _clock = clock;
        _logger = logger;
    }

    public int CheckpointInterval { get; init; } = 1000;

    /// <summary>Store-specific settings for the writer's own connection, once opened (SQLite: how it waits for the lock).</summary>
    public Action<DbConnection>? ConnectionOpened { get; init; }

    /// <summary>Undoes <see cref="ConnectionOpened"/> before the connection goes back to the pool.</summary>
    public Action<DbConnection>? ConnectionClosing { get; init; }
    public TimeSpan CheckpointDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How many entries may be answered before their commit (<c>ledger_acknowledge=queued</c>); 0: none.</summary>
    public int QueuedLimit { get; init; }

    /// <summary>How long the writer waits before committing again the queued entries of a failed batch.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Entries answered before their commit and not committed yet (those kept after a failure included).</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Entries whose callers wait for their commit, not answered ahead of it.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Whether queued entries are waiting for a failed commit to succeed.</summary>
    public bool Failing => _failing;

    /// <summary>An entry and, when its caller waits for the commit, how it is told; null when it was answered at once.</summary>
    private sealed record Pending(LedgerEntry Entry, TaskCompletionSource? Done);

    public long Now() => (_clock.GetUtcNow().UtcDateTime - DateTime.UnixEpoch).Ticks / 10;

    /// <summary>
    /// Queues an entry; completes once it is committed (its Seq and Hash are then set), or at once when
    /// <paramref name="mayQueue"/> and <see cref="QueuedLimit"/> allow it (Seq and Hash are then set later).
    /// </summary>
    public Task AppendAsync(LedgerEntry entry, bool mayQueue = false)
    {
        if (entry.TimeUs == 0)
            entry.TimeUs = Now();
        EnsureStarted();
        if (mayQueue && QueuedLimit > 0 && !_failing)
        {
            if (Interlocked.Increment(ref _queued) <= QueuedLimit)
            {
                if (_queue.Writer.TryWrite(new Pending(entry, null)))
                    return Task.CompletedTask;
                Interlocked.Decrement(ref _queued);
                throw new LedgerUnavailableException("the ledger writer is stopped");
            }
            Interlocked.Decrement(ref _queued);
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _waiting);
        if (!_queue.Writer.TryWrite(new Pending(entry, done)))
        {
            Interlocked.Decrement(ref _waiting);
            throw new LedgerUnavailableException("the ledger writer is stopped");
        }
        return done.Task;
    }

    private void EnsureStarted()
    {
        if (_loop is not null)
            return;
        lock (_startLock)
            _loop ??= Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>(MaxBatch);
        while (true)
        {
            bool more;
            var wait = _retry.Count > 0 ? RetryDelay : _unsigned ? CheckpointDelay : Timeout.InfiniteTimeSpan;
            if (wait != Timeout.InfiniteTimeSpan)
            {
                using var idle = new CancellationTokenSource(wait);
                try
                {
                    more = await reader.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException)
                {
                    if (_retry.Count > 0)
                        await CommitBatchAsync(batch);
                    else
                        await TryCheckpointAsync();
                    continue;
                }
            }
            else
            {
                more = await reader.WaitToReadAsync();
            }
            if (!more)
                break;
            while (batch.Count + _retry.Count < MaxBatch && reader.TryRead(out var p))
                batch.Add(p);
            await CommitBatchAsync(batch);
        }
        if (_retry.Count > 0)
            await CommitBatchAsync(batch);
        if (_retry.Count > 0)
            LogQueuedLost(_logger, _retry.Count);
        if (_unsigned)
            await TryCheckpointAsync();
    }

    /// <summary>
    /// Commits the queued entries of a failed batch, then <paramref name="batch"/>, and tells their callers. When the
    /// commit fails, waiting callers get the error and entries already answered are kept for the next attempt.
    /// </summary>
    private async Task CommitBatchAsync(List<Pending> batch)
    {
        if (_retry.Count > 0)
            batch.InsertRange(0, _retry);
        _retry.Clear();
        try
        {
            await CommitAsync(batch, forceCheckpoint: false);
            _failing = false;
            foreach (var p in batch)
            {
                if (p.Done is null)
                {
                    Interlocked.Decrement(ref _queued);
                }
                else
                {
                    Interlocked.Decrement(ref _waiting);
                    p.Done.TrySetResult();
                }
            }
        }
        catch (Exception e)
        {
            LogAppendFailed(_logger, e.GetType().Name, batch.Count);
            foreach (var p in batch)
            {
                if (p.Done is null)
                {
                    _retry.Add(p);
                }
                else
                {
                    Interlocked.Decrement(ref _waiting);
                    p.Done.TrySetException(new LedgerUnavailableException(e));
                }
            }
            _failing = _retry.Count > 0;
        }
        batch.Clear();
    }

    private async Task TryCheckpointAsync()
    {
        try
        {
            await CommitAsync([], forceCheckpoint: true);
        }
        catch (ObjectDisposedException)
        {
            // The process is shutting down; the next writer signs the head.
        }
        catch (Exception e)
        {
            LogAppendFailed(_logger, e.GetType().Name, 0);
        }
    }

    /// <summary>
    /// The writer's own connection, kept open with its insert prepared. Measured under load (bench/fhir/run.sh, perf):
    /// a new context, connection and statement per batch took 45 % of the writer's CPU.
    /// </summary>
    private sealed class Session(AsyncServiceScope scope, DbConnection connection, bool postgres) : IAsyncDisposable
    {
        public DbConnection Connection { get; } = connection;
        public bool Postgres { get; } = postgres;
        public DbCommand? Insert { get; set; }
        public DbParameter[] Parameters { get; set; } = [];

        /// <summary>The chain's head and the last checkpoint, read at the start of every batch.</summary>
        public DbCommand? Head { get; set; }
        public DbCommand? LastCheckpoint { get; set; }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in new[] { Insert, Head, LastCheckpoint })
            {
                if (command is not null)
                    await command.DisposeAsync();
            }
            await scope.DisposeAsync();
        }
    }

    private async Task<Session> SessionAsync()
    {
        if (_session is { Connection.State: ConnectionState.Open } open)
            return open;
        await CloseSessionAsync();
        var scope = _scopes.CreateAsyncScope();
        try
        {
            var db = scope.ServiceProvider.GetRequiredService<VigieDbContext>();
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            ConnectionOpened?.Invoke(connection);
            _session = new Session(scope, connection, IsPostgres(db));
            return _session;
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    private async Task CloseSessionAsync()
    {
        if (_session is null)
            return;
        var session = _session;
        _session = null;
        try
        {
            ConnectionClosing?.Invoke(session.Connection);
            await session.DisposeAsync();
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or ObjectDisposedException)
        {
            // A broken connection: the next batch opens a new one.
        }
    }

    private async Task CommitAsync(List<Pending> batch, bool forceCheckpoint)
    {
        await _commitLock.WaitAsync();
        try
        {
            await CommitOnceAsync(batch, forceCheckpoint);
        }
        catch
        {
            // Whatever failed, the next batch starts from a fresh connection and statement.
            await CloseSessionAsync();
            throw;
        }
        finally
        {
            _commitLock.Release();
        }
    }

    private async Task CommitOnceAsync(List<Pending> batch, bool forceCheckpoint)
    {
        var session = await SessionAsync();
        var connection = session.Connection;
        var postgres = session.Postgres;
        // PostgreSQL: READ COMMITTED, so that the head is read with a snapshot taken after the lock is granted. Under
        // SERIALIZABLE the snapshot dates from the lock's own statement, before another node's batch committed, and
        // that node's entries made this batch fail (40001). SQLite: BEGIN IMMEDIATE, the write lock first.
        await using var tx = await connection.BeginTransactionAsync(postgres ? IsolationLevel.ReadCommitted : IsolationLevel.Serializable);
        if (postgres)
            await ExecuteAsync(connection, tx, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})");

        long seq = 0;
        var prev = LedgerCanonical.Genesis;
        // Both prepared once per session, like the insert, not parsed again for every batch (no difference measured
        // beyond the noise on reads; docs/BENCHMARKS.md).
        var head = session.Head ??= Command(connection, tx, "SELECT seq, hash FROM audit_ledger ORDER BY seq DESC LIMIT 1");
        head.Transaction = tx;
        await using (var r = await head.ExecuteReaderAsync())
        {
            if (await r.ReadAsync())
            {
                seq = r.GetInt64(0);
                prev = (byte[])r.GetValue(1);
            }
        }
        long lastCheckpoint = 0;
        var cp = session.LastCheckpoint ??= Command(connection, tx, "SELECT seq FROM audit_checkpoints ORDER BY seq DESC LIMIT 1");
        cp.Transaction = tx;
        if (await cp.ExecuteScalarAsync() is { } v and not DBNull)
            lastCheckpoint = Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture);

        if (batch.Count > 0)
        {
            if (session.Insert is null)
            {
                var command = Command(connection, tx,
                    "INSERT INTO audit_ledger (seq, time_us, request_id, client_address, user_id, user_name, user_roles, user_establishment, user_profession, " +
                    "patient_id, patient_ref, patient_establishment, action, resource_type, resource_id, query, status, decision, reasons, purpose, " +
                    "break_glass, justification, care_relationship, privacy_flags, policy_version, prev_hash, hash, forwarded) VALUES " +
                    "(@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17, @p18, @p19, @p20, @p21, @p22, @p23, @p24, @p25, @p26, @p27)");
                var created = new DbParameter[28];
                for (var i = 0; i < created.Length; i++)
                {
                    created[i] = command.CreateParameter();
                    created[i].ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    command.Parameters.Add(created[i]);
                }
                session.Insert = command;
                session.Parameters = created;
            }
            var insert = session.Insert;
            insert.Transaction = tx;
            var parameters = session.Parameters;
            // PostgreSQL: the batch's inserts go to the server together, in one round trip, instead of one each.
            var together = postgres && batch.Count > 1 && connection.CanCreateBatch ? connection.CreateBatch() : null;
            await using var disposeTogether = together;
            foreach (var p in batch)
            {
                var e = p.Entry;
                e.Seq = ++seq;
                e.PrevHash = prev;
                e.Hash = LedgerCanonical.Hash(prev, e);
                prev = e.Hash;
                object?[] values =
                [
                    e.Seq, e.TimeUs, e.RequestId, e.ClientAddress, e.UserId, e.UserName, e.UserRoles, e.UserEstablishment, e.UserProfession,
                    e.PatientId, e.PatientRef, e.PatientEstablishment, e.Action, e.ResourceType, e.ResourceId, e.Query, e.Status, e.Decision,
                    e.Reasons, e.Purpose, e.BreakGlass, e.Justification, e.CareRelationship, e.PrivacyFlags, e.PolicyVersion, e.PrevHash, e.Hash, false,
                ];
                if (together is not null)
                {
                    var command = together.CreateBatchCommand();
                    command.CommandText = insert.CommandText;
                    for (var i = 0; i < values.Length; i++)
                    {
                        var parameter = command.CreateParameter();
                        parameter.ParameterName = parameters[i].ParameterName;
                        parameter.Value = values[i] ?? DBNull.Value;
                        command.Parameters.Add(parameter);
                    }
                    together.BatchCommands.Add(command);
                    continue;
                }
                for (var i = 0; i < values.Length; i++)
                    parameters[i].Value = values[i] ?? DBNull.Value;
                await insert.ExecuteNonQueryAsync();
            }
            if (together is not null)
            {
                together.Transaction = tx;
                await together.ExecuteNonQueryAsync();
            }
        }

        if (seq > lastCheckpoint && (forceCheckpoint || seq - lastCheckpoint >= CheckpointInterval))
        {
            var signedAt = Now();
            var signature = _signer.Sign(LedgerCanonical.CheckpointPayload(seq, prev, lastCheckpoint, signedAt));
            await using var checkpoint = Command(connection, tx,
                "INSERT INTO audit_checkpoints (seq, hash, previous_seq, signed_at_us, key_id, signature) VALUES (@s, @h, @p, @t, @k, @g)");
            Add(checkpoint, "@s", seq);
            Add(checkpoint, "@h", prev);
            Add(checkpoint, "@p", lastCheckpoint);
            Add(checkpoint, "@t", signedAt);
            Add(checkpoint, "@k", _signer.KeyId);
            Add(checkpoint, "@g", signature);
            await checkpoint.ExecuteNonQueryAsync();
            _unsigned = false;
        }
        else if (batch.Count > 0)
        {
            _unsigned = true;
        }
        else if (seq == lastCheckpoint)
        {
            _unsigned = false;
        }
        await tx.CommitAsync();
    }

    public static bool IsPostgres(VigieDbContext db) => db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;

    private static DbCommand Command(DbConnection connection, DbTransaction tx, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction tx, string sql)
    {
        await using var cmd = Command(connection, tx, sql);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Signs a checkpoint of the head now if entries are unsigned (command-line verbs call it before exiting).</summary>
    public Task CheckpointNowAsync() => CommitAsync([], forceCheckpoint: true);

    /// <summary>Stops accepting entries, commits what is queued and signs the head.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is not null)
            await _loop;
        await _commitLock.WaitAsync();
        try
        {
            await CloseSessionAsync();
        }
        finally
        {
            _commitLock.Release();
        }
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Error, Message = "Audit ledger append failed ({ExceptionType}); {Count} entries refused or kept for another attempt")]
    private static partial void LogAppendFailed(ILogger logger, string exceptionType, int count);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Critical, Message = "Audit ledger stopped with {Count} queued entries it could not commit")]
    private static partial void LogQueuedLost(ILogger logger, int count);
}
