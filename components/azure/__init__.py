"""Azure landing zone components (Azure Landing Zones pattern) on pulumi-azure-native 3.x."""
