"""Azure type tokens the security-baseline rules check (pulumi-azure-native 3.x; a test checks each against the SDK)."""

from __future__ import annotations

STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_CONTAINER = "azure-native:storage:BlobContainer"
SQL_SERVER = "azure-native:sql:Server"
SQL_DATABASE = "azure-native:sql:Database"
SQL_FIREWALL_RULE = "azure-native:sql:FirewallRule"
SQL_TDE = "azure-native:sql:TransparentDataEncryption"
SQL_AUDITING = (
    "azure-native:sql:ServerBlobAuditingPolicy",
    "azure-native:sql:ExtendedServerBlobAuditingPolicy",
)
SQL_SHORT_TERM_RETENTION = "azure-native:sql:BackupShortTermRetentionPolicy"
COSMOS = ("azure-native:cosmosdb:DatabaseAccount", "azure-native:documentdb:DatabaseAccount")
KEY_VAULT = "azure-native:keyvault:Vault"
KEY_VAULT_KEY = "azure-native:keyvault:Key"
AKS = "azure-native:containerservice:ManagedCluster"
NSG = "azure-native:network:NetworkSecurityGroup"
NSG_RULE = "azure-native:network:SecurityRule"
DIAGNOSTIC_SETTINGS = ("azure-native:monitor:DiagnosticSetting", "azure-native:insights:DiagnosticSetting")
SUBSCRIPTION_DIAGNOSTIC_SETTINGS = (
    "azure-native:monitor:SubscriptionDiagnosticSetting",
    "azure-native:insights:SubscriptionDiagnosticSetting",
)
DISK = "azure-native:compute:Disk"
VM = "azure-native:compute:VirtualMachine"
VMSS = "azure-native:compute:VirtualMachineScaleSet"
POSTGRES = "azure-native:dbforpostgresql:Server"
MYSQL = "azure-native:dbformysql:Server"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
FIREWALL = "azure-native:network:AzureFirewall"
APP_GATEWAY = "azure-native:network:ApplicationGateway"

# Workload services (issue 14).
WEB_APPS = ("azure-native:web:WebApp", "azure-native:web:WebAppSlot")
REDIS = "azure-native:redis:Redis"
AKS_AGENT_POOL = "azure-native:containerservice:AgentPool"
CONTAINER_REGISTRY = "azure-native:containerregistry:Registry"
EVENTHUB_NAMESPACE = "azure-native:eventhub:Namespace"
EVENTHUB_NETWORK_RULE_SET = "azure-native:eventhub:NamespaceNetworkRuleSet"
SERVICEBUS_NAMESPACE = "azure-native:servicebus:Namespace"
SERVICEBUS_NETWORK_RULE_SET = "azure-native:servicebus:NamespaceNetworkRuleSet"
POSTGRES_CONFIGURATION = "azure-native:dbforpostgresql:Configuration"
MYSQL_CONFIGURATION = "azure-native:dbformysql:Configuration"
SQL_SERVER_KEY = "azure-native:sql:ServerKey"
SQL_ENCRYPTION_PROTECTOR = "azure-native:sql:EncryptionProtector"
SQL_ENTRA_ONLY = "azure-native:sql:ServerAzureADOnlyAuthentication"
WAF_POLICY = "azure-native:network:WebApplicationFirewallPolicy"
FRONTDOOR_WAF_POLICY = "azure-native:frontdoor:Policy"
CDN_PROFILE = "azure-native:cdn:Profile"
AFD_CUSTOM_DOMAIN = "azure-native:cdn:AFDCustomDomain"
AFD_ROUTE = "azure-native:cdn:Route"
AFD_SECURITY_POLICY = "azure-native:cdn:SecurityPolicy"
ACTIVITY_LOG_ALERT = "azure-native:monitor:ActivityLogAlert"
DEFENDER_PRICING = "azure-native:security:Pricing"
KEY_VAULT_SECRET = "azure-native:keyvault:Secret"
