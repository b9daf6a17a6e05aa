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
