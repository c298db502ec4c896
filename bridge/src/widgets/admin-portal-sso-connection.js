export { AdminPortalSsoConnection as default } from "@workos-inc/widgets/admin-portal-sso-connection";
