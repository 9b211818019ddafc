namespace Berth.Policy;

/// <summary>Stable diagnostic codes. BP1xx: reading a policy (a file, or a namespace's Pod Security labels); BP2xx: a stack's violations, one code per rule.</summary>
public static class PolicyCodes
{
    public const string YamlSyntax = "BP101";
    public const string UnknownKey = "BP102";
    public const string WrongType = "BP103";
    public const string InvalidValue = "BP104";
    public const string NotAPolicy = "BP105";
    public const string UnknownProfile = "BP106";
    public const string TooLarge = "BP107";
    public const string PodSecurityLabel = "BP108";

    public const string Privileged = "BP201";
    public const string HostPid = "BP202";
    public const string HostIpc = "BP203";
    public const string HostNetwork = "BP204";
    public const string HostUserns = "BP205";
    public const string BindMount = "BP206";
    public const string BindMountWritable = "BP207";
    public const string Capability = "BP208";
    public const string CapabilityDropAll = "BP209";
    public const string Device = "BP210";
    public const string Gpu = "BP211";
    public const string RunsAsRoot = "BP212";
    public const string NoNewPrivileges = "BP213";
    public const string Unconfined = "BP214";
    public const string Sysctl = "BP215";
    public const string PublishedPort = "BP216";
    public const string HostModePort = "BP217";
    public const string Resources = "BP218";
    public const string ImageRegistry = "BP219";
    public const string ImageDigest = "BP220";
    public const string ImageLatest = "BP221";
    public const string RestartPolicy = "BP222";
    public const string Replicas = "BP223";
    public const string HostUts = "BP224";
    public const string HostCgroup = "BP225";
    public const string SelinuxType = "BP226";
}
