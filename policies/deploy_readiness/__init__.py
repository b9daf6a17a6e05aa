"""The deploy-readiness policy pack (``pulumi preview --policy-pack policies/deploy_readiness``)."""
