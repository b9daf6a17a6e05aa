"""AWS landing zone components (Landing Zone Accelerator / Control Tower / AWS SRA layout).

Import the components from their modules: ``components.aws.organization``,
``identity``, ``log_archive``, ``security_baseline``, ``network``; pure logic
lives in ``scp``, ``network_plan``, ``validate`` and ``aws_data``.
"""
