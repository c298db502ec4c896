export { AdminPortalDomainVerification as default } from "@workos-inc/widgets/admin-portal-domain-verification";
