namespace Berth.Controller.Leadership;

/// <summary>
/// What a Lease's spec says about leadership: client-go's resourcelock.LeaderElectionRecord
/// (tools/leaderelection/resourcelock/interface.go), compared by value where client-go compares its JSON bytes.
/// </summary>
internal sealed record LeaderElectionRecord(string HolderIdentity, int LeaseDurationSeconds, DateTime? AcquireTime, DateTime? RenewTime, int LeaderTransitions)
{
    public static readonly LeaderElectionRecord Empty = new(string.Empty, 0, null, null, 0);

    /// <summary>
    /// A Lease time: MicroTime keeps whole microseconds (apimachinery pkg/apis/meta/v1/micro_time.go), so records
    /// made here compare equal to the same record read back.
    /// </summary>
    public static DateTime MicroTime(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % 10), DateTimeKind.Utc);
}
