export { AdminPortalAuditLogStreaming as default } from "@workos-inc/widgets/admin-portal-audit-log-streaming";
